from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.get_orders_response import GetOrdersResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: str | Unset = UNSET,
    venue: str | Unset = "cefi,defi",
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["cursor"] = cursor

    params["status"] = status

    params["venue"] = venue

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/orders",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | GetOrdersResponse | None:
    if response.status_code == 200:
        response_200 = GetOrdersResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | GetOrdersResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: str | Unset = UNSET,
    venue: str | Unset = "cefi,defi",
) -> Response[ErrorResponse | GetOrdersResponse]:
    """List the account's orders

     Newest first, every status unless filtered, one page per call.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (str | Unset):
        venue (str | Unset):  Default: 'cefi,defi'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | GetOrdersResponse]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        status=status,
        venue=venue,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: str | Unset = UNSET,
    venue: str | Unset = "cefi,defi",
) -> ErrorResponse | GetOrdersResponse | None:
    """List the account's orders

     Newest first, every status unless filtered, one page per call.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (str | Unset):
        venue (str | Unset):  Default: 'cefi,defi'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | GetOrdersResponse
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        status=status,
        venue=venue,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: str | Unset = UNSET,
    venue: str | Unset = "cefi,defi",
) -> Response[ErrorResponse | GetOrdersResponse]:
    """List the account's orders

     Newest first, every status unless filtered, one page per call.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (str | Unset):
        venue (str | Unset):  Default: 'cefi,defi'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | GetOrdersResponse]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        status=status,
        venue=venue,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
    status: str | Unset = UNSET,
    venue: str | Unset = "cefi,defi",
) -> ErrorResponse | GetOrdersResponse | None:
    """List the account's orders

     Newest first, every status unless filtered, one page per call.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):
        status (str | Unset):
        venue (str | Unset):  Default: 'cefi,defi'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | GetOrdersResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            status=status,
            venue=venue,
        )
    ).parsed
