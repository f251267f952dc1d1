"""Form helpers shared by every app."""

from django.core.exceptions import ValidationError


def add_validation_errors(form, exc: ValidationError) -> None:
    """Show an action's ValidationError on the form: on its fields when it names them (and the
    form has them), otherwise at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
