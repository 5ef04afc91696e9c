"""Access matrix: two-factor sign-in and confirming it is you, every persona.

Every signed-in persona's session has finished signing in (managers, the auditor and the administrator with
their authenticator app's code, see tests/conftest.py), so the code page sends them on (302), as does the
recovery-codes page when there are no new codes to show. Anyone may open their own two-factor settings, set up
an app and confirm it is them (200); the settings' buttons answer with a redirect (302). Signed out, every one
of them goes to sign in (302). What an unfinished sign-in may reach is tested in tests/agencies/test_two_factor.py.

The session's time left and "Stay signed in" (for the time-out warning) answer anyone, signed out included
(200: "not signed in"). They answer JSON to the page's script, so they are not pages for the browser walk.
"""

from __future__ import annotations

from tests.access_matrix_base import SIGN_IN_REDIRECT, Entry, fixed, statuses

ENTRIES: list[Entry] = [
    Entry("two-factor-verify", fixed("/sign-in/two-factor/"), statuses(302, SIGN_IN_REDIRECT)),
    Entry("two-factor-verify", fixed("/sign-in/two-factor/"), statuses(302, SIGN_IN_REDIRECT), method="POST",
          data=lambda w, u: {"code": "000000"}),
    Entry("two-factor-setup", fixed("/sign-in/two-factor/set-up/"), statuses(200, SIGN_IN_REDIRECT)),
    Entry("two-factor-recovery-codes", fixed("/sign-in/two-factor/recovery-codes/"),
          statuses(302, SIGN_IN_REDIRECT)),
    Entry("two-factor", fixed("/account/two-factor/"), statuses(200, SIGN_IN_REDIRECT)),
    Entry("two-factor-codes-new", fixed("/account/two-factor/recovery-codes/"), statuses(302, SIGN_IN_REDIRECT),
          method="POST", data=lambda w, u: {}),
    Entry("two-factor-turn-off", fixed("/account/two-factor/turn-off/"), statuses(302, SIGN_IN_REDIRECT),
          method="POST", data=lambda w, u: {}),
    Entry("reauthenticate", fixed("/account/confirm-it-is-you/"), statuses(200, SIGN_IN_REDIRECT)),
    Entry("session-status", fixed("/account/session/"), statuses(200, 200), page=False),
    Entry("session-status", fixed("/account/session/"), statuses(200, 200), method="POST", page=False,
          data=lambda w, u: {}),
]
