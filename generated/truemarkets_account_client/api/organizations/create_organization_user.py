from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_user_request import CreateUserRequest
from ...models.error_response import ErrorResponse
from ...models.organization_user import OrganizationUser
from ...types import Response


def _get_kwargs(
    organization_id: str,
    *,
    body: CreateUserRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/organizations/{organization_id}/users".format(
            organization_id=quote(str(organization_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | OrganizationUser | None:
    if response.status_code == 200:
        response_200 = OrganizationUser.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = OrganizationUser.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())

        return response_409

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | OrganizationUser]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    organization_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateUserRequest,
) -> Response[ErrorResponse | OrganizationUser]:
    """Create (or fetch) the user for one of your customers

     Creates a user with wallets controlled by `signer_public_key`. Calling it again with the same
    `external_ref_id` returns the same user, so it is safe to retry. While the new user's wallets are
    being provisioned the answer may be 503: retry after the `Retry-After` seconds. Keep the signer's
    private key: it is the only key that can stamp this user's payloads.

    Args:
        organization_id (str):
        body (CreateUserRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | OrganizationUser]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    organization_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateUserRequest,
) -> ErrorResponse | OrganizationUser | None:
    """Create (or fetch) the user for one of your customers

     Creates a user with wallets controlled by `signer_public_key`. Calling it again with the same
    `external_ref_id` returns the same user, so it is safe to retry. While the new user's wallets are
    being provisioned the answer may be 503: retry after the `Retry-After` seconds. Keep the signer's
    private key: it is the only key that can stamp this user's payloads.

    Args:
        organization_id (str):
        body (CreateUserRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | OrganizationUser
    """

    return sync_detailed(
        organization_id=organization_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    organization_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateUserRequest,
) -> Response[ErrorResponse | OrganizationUser]:
    """Create (or fetch) the user for one of your customers

     Creates a user with wallets controlled by `signer_public_key`. Calling it again with the same
    `external_ref_id` returns the same user, so it is safe to retry. While the new user's wallets are
    being provisioned the answer may be 503: retry after the `Retry-After` seconds. Keep the signer's
    private key: it is the only key that can stamp this user's payloads.

    Args:
        organization_id (str):
        body (CreateUserRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | OrganizationUser]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organization_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateUserRequest,
) -> ErrorResponse | OrganizationUser | None:
    """Create (or fetch) the user for one of your customers

     Creates a user with wallets controlled by `signer_public_key`. Calling it again with the same
    `external_ref_id` returns the same user, so it is safe to retry. While the new user's wallets are
    being provisioned the answer may be 503: retry after the `Retry-After` seconds. Keep the signer's
    private key: it is the only key that can stamp this user's payloads.

    Args:
        organization_id (str):
        body (CreateUserRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | OrganizationUser
    """

    return (
        await asyncio_detailed(
            organization_id=organization_id,
            client=client,
            body=body,
        )
    ).parsed
