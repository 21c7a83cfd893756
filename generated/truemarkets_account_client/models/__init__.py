"""Contains all the data models used in inputs/outputs"""

from .create_user_request import CreateUserRequest
from .error_response import ErrorResponse
from .field_violation import FieldViolation
from .organization_user import OrganizationUser
from .wallet import Wallet

__all__ = (
    "CreateUserRequest",
    "ErrorResponse",
    "FieldViolation",
    "OrganizationUser",
    "Wallet",
)
