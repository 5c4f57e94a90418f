"""The holiday table administrators keep beside the State Council schedule."""
