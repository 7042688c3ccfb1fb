"""What every stage runs on: the device, stop requests, torchrun/DDP and the environment report."""
