"""Forms of two-factor sign-in and of confirming who you are before a sensitive step."""

from __future__ import annotations

from typing import Any

from django import forms

CODE_ATTRS = {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}


class CodeForm(forms.Form):
    """The code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Enter the 6-digit code",
        help_text="Open the authenticator app on your phone. If you do not have your phone, enter one of your "
        "recovery codes instead.",
        max_length=40,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(attrs={**CODE_ATTRS, "inputmode": "text"}),
    )


class SetupCodeForm(forms.Form):
    """The first code the new app shows, proving it holds the key."""

    code = forms.CharField(
        label="Enter the 6-digit code from your app",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code shown in your authenticator app"},
        widget=forms.TextInput(attrs={**CODE_ATTRS, "inputmode": "numeric"}),
    )


class ReauthenticateForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, with_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_code:
            self.fields["code"] = forms.CharField(
                label="Enter the 6-digit code",
                help_text="From your authenticator app, or one of your recovery codes.",
                max_length=40,
                error_messages={"required": "Enter the 6-digit code from your authenticator app"},
                widget=forms.TextInput(attrs={**CODE_ATTRS, "inputmode": "text"}),
            )
