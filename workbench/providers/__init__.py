"""Model providers: OpenAI (and any OpenAI-compatible server) and Anthropic."""

from workbench.providers._base import ModelReply, ModelRequest, Provider, RequestedToolCall, ToolSpec
from workbench.providers._cache import ResponseCache
from workbench.providers._errors import ErrorKind, ProviderError
from workbench.providers._prices import PriceTable

__all__ = [
    "ErrorKind",
    "ModelReply",
    "ModelRequest",
    "PriceTable",
    "Provider",
    "ProviderError",
    "RequestedToolCall",
    "ResponseCache",
    "ToolSpec",
]
