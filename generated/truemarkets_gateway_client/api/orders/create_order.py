from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_order_request import CreateOrderRequest
from ...models.create_order_response import CreateOrderResponse
from ...models.error_response import ErrorResponse
from ...types import Response


def _get_kwargs(
    *,
    body: CreateOrderRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/orders",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreateOrderResponse | ErrorResponse | None:
    if response.status_code == 201:
        response_201 = CreateOrderResponse.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

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
) -> Response[CreateOrderResponse | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderRequest,
) -> Response[CreateOrderResponse | ErrorResponse]:
    """Place an order

     Creates an order. Whether the client has more to do is told by `payloads`:

    - non-empty `payloads` (status `initialized`): the order waits for the client to
      stamp every payload and post the stamps to executeOrder. This is the case for DeFi
      orders and for CeFi buys that first need funds bridged.
    - no `payloads`: the order has already been submitted (typically `pending`), as for
      CeFi sells and CeFi buys the account can already fund.

    When a DeFi order cannot be funded at all (no balance on chain and nothing on the
    CeFi side to bridge), the answer carries an informational `quote` whose `issues`
    include an "Insufficient balance" entry, an empty `order_id` and no `payloads`. No
    order exists then: do not execute or poll it. Detect this by the empty `order_id`.

    Creating is not idempotent: repeating a request can open a second order.

    Args:
        body (CreateOrderRequest): Rules the server enforces (and this SDK checks first):
            - limit: `price` (positive) and `qty_unit: base`; `chain` omitted for CeFi or a DeFi
              chain to rest the order on chain;
            - market: no `price`; buys use `qty_unit: quote`; DeFi sells use `base`;
            - `leverage` (1 to 50) and `reduce_only` only on `hypercore-perp`; leverage opens a
              position (buy long, sell short), reduce_only only closes one.
            `chain` present means DeFi; absent means CeFi. On DeFi, `base_asset` is the token's
            address on that chain. `asset_id` is the newer way to name the asset.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateOrderResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderRequest,
) -> CreateOrderResponse | ErrorResponse | None:
    """Place an order

     Creates an order. Whether the client has more to do is told by `payloads`:

    - non-empty `payloads` (status `initialized`): the order waits for the client to
      stamp every payload and post the stamps to executeOrder. This is the case for DeFi
      orders and for CeFi buys that first need funds bridged.
    - no `payloads`: the order has already been submitted (typically `pending`), as for
      CeFi sells and CeFi buys the account can already fund.

    When a DeFi order cannot be funded at all (no balance on chain and nothing on the
    CeFi side to bridge), the answer carries an informational `quote` whose `issues`
    include an "Insufficient balance" entry, an empty `order_id` and no `payloads`. No
    order exists then: do not execute or poll it. Detect this by the empty `order_id`.

    Creating is not idempotent: repeating a request can open a second order.

    Args:
        body (CreateOrderRequest): Rules the server enforces (and this SDK checks first):
            - limit: `price` (positive) and `qty_unit: base`; `chain` omitted for CeFi or a DeFi
              chain to rest the order on chain;
            - market: no `price`; buys use `qty_unit: quote`; DeFi sells use `base`;
            - `leverage` (1 to 50) and `reduce_only` only on `hypercore-perp`; leverage opens a
              position (buy long, sell short), reduce_only only closes one.
            `chain` present means DeFi; absent means CeFi. On DeFi, `base_asset` is the token's
            address on that chain. `asset_id` is the newer way to name the asset.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateOrderResponse | ErrorResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderRequest,
) -> Response[CreateOrderResponse | ErrorResponse]:
    """Place an order

     Creates an order. Whether the client has more to do is told by `payloads`:

    - non-empty `payloads` (status `initialized`): the order waits for the client to
      stamp every payload and post the stamps to executeOrder. This is the case for DeFi
      orders and for CeFi buys that first need funds bridged.
    - no `payloads`: the order has already been submitted (typically `pending`), as for
      CeFi sells and CeFi buys the account can already fund.

    When a DeFi order cannot be funded at all (no balance on chain and nothing on the
    CeFi side to bridge), the answer carries an informational `quote` whose `issues`
    include an "Insufficient balance" entry, an empty `order_id` and no `payloads`. No
    order exists then: do not execute or poll it. Detect this by the empty `order_id`.

    Creating is not idempotent: repeating a request can open a second order.

    Args:
        body (CreateOrderRequest): Rules the server enforces (and this SDK checks first):
            - limit: `price` (positive) and `qty_unit: base`; `chain` omitted for CeFi or a DeFi
              chain to rest the order on chain;
            - market: no `price`; buys use `qty_unit: quote`; DeFi sells use `base`;
            - `leverage` (1 to 50) and `reduce_only` only on `hypercore-perp`; leverage opens a
              position (buy long, sell short), reduce_only only closes one.
            `chain` present means DeFi; absent means CeFi. On DeFi, `base_asset` is the token's
            address on that chain. `asset_id` is the newer way to name the asset.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateOrderResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateOrderRequest,
) -> CreateOrderResponse | ErrorResponse | None:
    """Place an order

     Creates an order. Whether the client has more to do is told by `payloads`:

    - non-empty `payloads` (status `initialized`): the order waits for the client to
      stamp every payload and post the stamps to executeOrder. This is the case for DeFi
      orders and for CeFi buys that first need funds bridged.
    - no `payloads`: the order has already been submitted (typically `pending`), as for
      CeFi sells and CeFi buys the account can already fund.

    When a DeFi order cannot be funded at all (no balance on chain and nothing on the
    CeFi side to bridge), the answer carries an informational `quote` whose `issues`
    include an "Insufficient balance" entry, an empty `order_id` and no `payloads`. No
    order exists then: do not execute or poll it. Detect this by the empty `order_id`.

    Creating is not idempotent: repeating a request can open a second order.

    Args:
        body (CreateOrderRequest): Rules the server enforces (and this SDK checks first):
            - limit: `price` (positive) and `qty_unit: base`; `chain` omitted for CeFi or a DeFi
              chain to rest the order on chain;
            - market: no `price`; buys use `qty_unit: quote`; DeFi sells use `base`;
            - `leverage` (1 to 50) and `reduce_only` only on `hypercore-perp`; leverage opens a
              position (buy long, sell short), reduce_only only closes one.
            `chain` present means DeFi; absent means CeFi. On DeFi, `base_asset` is the token's
            address on that chain. `asset_id` is the newer way to name the asset.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateOrderResponse | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
