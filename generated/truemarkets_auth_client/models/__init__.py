"""Contains all the data models used in inputs/outputs"""

from .access_tokens_response import AccessTokensResponse
from .api_key_token_exchange_request import APIKeyTokenExchangeRequest
from .error_response import ErrorResponse
from .field_violation import FieldViolation
from .refresh_token_request import RefreshTokenRequest

__all__ = (
    "AccessTokensResponse",
    "APIKeyTokenExchangeRequest",
    "ErrorResponse",
    "FieldViolation",
    "RefreshTokenRequest",
)
