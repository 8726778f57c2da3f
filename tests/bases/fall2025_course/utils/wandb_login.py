import wandb


def login_to_wandb(project="beras", config=None):
    """Log in to Weights & Biases and start a run (returns the run)."""
    wandb.login()
    return wandb.init(project=project, config=config or {})
