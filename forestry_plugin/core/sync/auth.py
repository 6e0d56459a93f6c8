"""Credentials for the platform from QgsAuthManager: only an authcfg id is ever stored anywhere else."""

from __future__ import annotations

from typing import Tuple

from qgis.core import QgsApplication, QgsAuthMethodConfig

from ...i18n import tr


class CredentialsError(Exception):
    """The auth configuration is missing, locked or not a user name/password one."""


def credentials(authcfg: str) -> Tuple[str, str]:
    """(username, password) of a Basic auth configuration; decrypted in memory only."""
    if not authcfg:
        raise CredentialsError(tr("Choose an authentication configuration with your platform user name and password"))
    manager = QgsApplication.authManager()
    cfg = QgsAuthMethodConfig()
    if not manager.loadAuthenticationConfig(authcfg, cfg, True) or not cfg.isValid(True):
        raise CredentialsError(tr("Authentication configuration {0} not found or locked (master password?)").format(
            authcfg))
    username, password = cfg.config("username"), cfg.config("password")
    if not username:
        raise CredentialsError(tr("Authentication configuration {0} has no user name (use the Basic method)").format(
            authcfg))
    return username, password


def store_basic_config(name: str, username: str, password: str, url: str = "") -> str:
    """Create a Basic auth configuration in QgsAuthManager; return its id."""
    cfg = QgsAuthMethodConfig("Basic")
    cfg.setName(name)
    cfg.setUri(url)
    cfg.setConfig("username", username)
    cfg.setConfig("password", password)
    manager = QgsApplication.authManager()
    ok = manager.storeAuthenticationConfig(cfg)
    if isinstance(ok, tuple):  # PyQGIS returns (bool, config) in some versions
        ok, cfg = ok[0], ok[1] if len(ok) > 1 else cfg
    if not ok or not cfg.id():
        raise CredentialsError(tr("Could not store the authentication configuration (is the master password set?)"))
    return cfg.id()
