"""Stage 5, comparison: the loss comparison runs, their statistics and the HTML report."""
