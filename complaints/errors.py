"""Why the desk refuses an action; the API and the pages turn these into 403/409 answers."""


class ActionRefused(Exception):
    """The action is not possible now (409): wrong stage, or the complaint's state forbids it."""

    status = 409

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class ActionForbidden(ActionRefused):
    """The user's role may not take this action (403)."""

    status = 403


class StaleVersion(ActionRefused):
    """Someone else changed the complaint since the user loaded it (409)."""


class AlreadyRated(ActionRefused):
    """The resident has rated this complaint already (409)."""


class UnknownAction(Exception):
    pass
