from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Still Argon2, with costs low enough that a test can create a dozen users."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
