"""The storage layer: the only code that touches the store's files.

Everything the workbench keeps — dataset info, run manifests and result/label parts,
prompts, the response cache, cached statistics, locks — is read and written through
a :class:`Storage`. :class:`LocalStorage` is the store on a local folder; an
object-storage implementation is the next step (see ``docs/architecture.md``).
"""

from workbench.storage._errors import CorruptFileError, StorageError
from workbench.storage._local import LocalStorage, fsync_dir
from workbench.storage._protocol import TEMP_SUFFIX, Storage

__all__ = ["TEMP_SUFFIX", "CorruptFileError", "LocalStorage", "Storage", "StorageError", "fsync_dir"]
