from tests.access_matrix_base import Entry

ENTRIES: list[Entry] = []
