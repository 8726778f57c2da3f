"""Stand-ins for tensorflow.keras.datasets and wandb (see README.md here)."""
from pathlib import Path

SHIMS_DIR = Path(__file__).resolve().parent / "site"
