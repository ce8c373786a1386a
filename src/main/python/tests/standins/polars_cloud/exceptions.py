"""The real client's ``polars_cloud.exceptions``, class for class.

The stand-in raises none of these: like the real client, a failed query raises the Polars (or
builtin) exception the cluster reported (see ``_query.raise_query_errors``). They are here so that
code written against the real module imports and catches the same names.
"""

from __future__ import annotations


class WorkspaceDeploymentError(Exception):
    """Exception raised when the workspace deployment fails."""


class VerificationTimeoutError(Exception):
    """Exception raised when verification has timed out."""


class OrganizationResolveError(Exception):
    """Exception raised when organization could not be resolved."""


class WorkspaceResolveError(Exception):
    """Exception raised when workspace could not be resolved."""
