"""Contains all the data models used in inputs/outputs"""

from .asset_flow import AssetFlow
from .asset_image import AssetImage
from .asset_item import AssetItem
from .asset_market_data import AssetMarketData
from .asset_network import AssetNetwork
from .asset_socials import AssetSocials
from .balance_item import BalanceItem
from .cancel_order_response import CancelOrderResponse
from .chain import Chain
from .create_order_request import CreateOrderRequest
from .create_order_response import CreateOrderResponse
from .create_transfer_request import CreateTransferRequest
from .empty_object import EmptyObject
from .error_response import ErrorResponse
from .execute_order_request import ExecuteOrderRequest
from .execute_order_response import ExecuteOrderResponse
from .execute_transfer_request import ExecuteTransferRequest
from .field_violation import FieldViolation
from .get_order_status_response import GetOrderStatusResponse
from .get_orders_response import GetOrdersResponse
from .list_assets_response import ListAssetsResponse
from .list_balances_response import ListBalancesResponse
from .list_transactions_response import ListTransactionsResponse
from .list_transfers_response import ListTransfersResponse
from .modify_order_request import ModifyOrderRequest
from .order_detail import OrderDetail
from .order_side import OrderSide
from .order_status import OrderStatus
from .order_type import OrderType
from .pagination import Pagination
from .portfolio_balance import PortfolioBalance
from .portfolio_position import PortfolioPosition
from .portfolio_response import PortfolioResponse
from .qty_unit import QtyUnit
from .quote_details import QuoteDetails
from .quote_request import QuoteRequest
from .quote_response import QuoteResponse
from .signing_method import SigningMethod
from .transaction_detail import TransactionDetail
from .transaction_status import TransactionStatus
from .transaction_type import TransactionType
from .transfer_detail import TransferDetail
from .transfer_status import TransferStatus
from .unsigned_payload import UnsignedPayload
from .venue import Venue

__all__ = (
    "AssetFlow",
    "AssetImage",
    "AssetItem",
    "AssetMarketData",
    "AssetNetwork",
    "AssetSocials",
    "BalanceItem",
    "CancelOrderResponse",
    "Chain",
    "CreateOrderRequest",
    "CreateOrderResponse",
    "CreateTransferRequest",
    "EmptyObject",
    "ErrorResponse",
    "ExecuteOrderRequest",
    "ExecuteOrderResponse",
    "ExecuteTransferRequest",
    "FieldViolation",
    "GetOrdersResponse",
    "GetOrderStatusResponse",
    "ListAssetsResponse",
    "ListBalancesResponse",
    "ListTransactionsResponse",
    "ListTransfersResponse",
    "ModifyOrderRequest",
    "OrderDetail",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "Pagination",
    "PortfolioBalance",
    "PortfolioPosition",
    "PortfolioResponse",
    "QtyUnit",
    "QuoteDetails",
    "QuoteRequest",
    "QuoteResponse",
    "SigningMethod",
    "TransactionDetail",
    "TransactionStatus",
    "TransactionType",
    "TransferDetail",
    "TransferStatus",
    "UnsignedPayload",
    "Venue",
)
