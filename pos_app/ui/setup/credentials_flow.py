"""Ties a CredentialsPage to the password store and the credential check, for one dialog.

Reading what is saved, testing the connection and saving run as background jobs; results
for an environment the manager has since switched away from are dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from pos_app.secrets import Secret, SecretStoreError
from pos_app.services.diagnostics import ConnectionCheck
from pos_app.ui.setup import wording
from pos_app.ui.setup.context import SetupServices
from pos_app.ui.setup.credentials_page import CredentialsPage
from pos_app.ui.setup.jobs import Jobs
from pos_app.ui.setup.pages import PageProblem

__all__ = ["CredentialsFlow", "TypedCredentials"]

TypedCredentials = tuple[str, Secret | None]  # App ID; the secret, or None to keep the saved one


class CredentialsFlow(QObject):
    def __init__(self, page: CredentialsPage, services: SetupServices, parent: QObject) -> None:
        super().__init__(parent)
        self.page = page
        self.services = services
        self.jobs = Jobs(self)
        self.environment = ""
        self._generation = 0
        self._saved_app_id: str | None = None
        # Whether the password store answered the last read: True, False, or None while
        # that read is still running (pos_app.secrets explains a missing store).
        self.store_works: bool | None = None
        page.test_requested.connect(self.test)

    # ---- what is saved -----------------------------------------------------------------------
    def load(self, environment: str) -> None:
        """Show the saved App ID (and whether a secret is saved) for `environment`."""
        self._generation += 1
        generation = self._generation
        self.environment = environment
        self.page.set_environment(environment)
        self.page.set_saved(None, False)
        self.page.show_note(wording.LOADING_CREDENTIALS, "busy")
        self.store_works = None

        def done(found: tuple[Secret | None, bool]) -> None:
            if generation != self._generation:
                return
            app_id, has_secret = found
            self._saved_app_id = app_id.reveal() if app_id is not None else None
            self.store_works = True
            self.page.set_saved(app_id, has_secret)

        def failed(error: Exception) -> None:
            if generation == self._generation:
                self.store_works = False
                self.page.show_note(_message(error))

        self.jobs.run(self._read(environment), done, failed, handles=(SecretStoreError,))

    async def _read(self, environment: str) -> tuple[Secret | None, bool]:
        secrets = self.services.secrets
        app_id = await secrets.aget(environment, "app_id")
        secret = await secrets.aget(environment, "client_secret")
        return app_id, secret is not None

    def probe(self, works: Callable[[], object], fails: Callable[[str], object]) -> None:
        """Ask the password store again (without touching what is typed): `works()` when it
        answers, `fails(sentence)` when it cannot keep the secret."""
        environment = self.environment

        def done(_found: object) -> None:
            self.store_works = True
            works()

        def failed(error: Exception) -> None:
            self.store_works = False
            self.page.show_note(_message(error))
            fails(_message(error))

        self.jobs.run(
            self.services.secrets.aget(environment, "app_id"),
            done,
            failed,
            handles=(SecretStoreError,),
        )

    # ---- what was typed ---------------------------------------------------------------------
    def typed(self) -> TypedCredentials:
        """The App ID and secret to save; PageProblem when something is missing or wrong."""
        return self.page.typed_app_id(), self.page.typed_secret()

    async def save(self, environment: str, typed: TypedCredentials) -> None:
        app_id, secret = typed
        if secret is None and not self.page.has_saved_secret:
            raise PageProblem(wording.NO_CLIENT_KEY_TYPED, self.page.secret)
        await self.services.secrets.aset(environment, "app_id", Secret(app_id))
        if secret is not None:
            await self.services.secrets.aset(environment, "client_secret", secret)

    # ---- Test connection ----------------------------------------------------------------------
    def test(self) -> None:
        environment = self.environment
        try:
            typed = self.typed()
        except PageProblem as problem:
            self.page.show_note(problem.message)
            if problem.widget is not None:
                problem.widget.setFocus()
            return
        generation = self._generation
        self.page.set_testing(True)

        def done(check: ConnectionCheck) -> None:
            self.page.set_testing(False)
            if generation == self._generation:
                self.page.show_check(check)

        def failed(error: Exception) -> None:
            self.page.set_testing(False)
            if generation == self._generation:
                self.page.show_note(_message(error))

        self.jobs.run(
            self._check(environment, typed), done, failed, handles=(SecretStoreError, PageProblem)
        )

    async def _check(self, environment: str, typed: TypedCredentials) -> ConnectionCheck:
        app_id, secret = typed
        if secret is None:
            secret = await self.services.secrets.aget(environment, "client_secret")
            if secret is None:
                raise PageProblem(wording.NO_CLIENT_KEY_TYPED, self.page.secret)
        return await self.services.check(environment, app_id, secret)

    def cancel(self) -> None:
        self.jobs.cancel_all()


def _message(error: Exception) -> str:
    if isinstance(error, SecretStoreError | PageProblem):
        return error.message
    return str(error)
