"""The one exception type for problems the user can fix (bad input, missing files)."""


class UserError(Exception):
    """Bad input described for the user: names the layer, field or value and what to do.

    The worker turns it into an ``error`` event and exit status 2, never a traceback.
    """
