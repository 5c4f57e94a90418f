"""Bounties (执行悬赏): applications, public notices, tips, payouts and bounty insurance."""
