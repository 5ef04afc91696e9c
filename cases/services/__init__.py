"""cases.services: people and households (people.py), incidents and their risk (incidents.py)."""
