"""Performance review: bookings, attainment, rollups, leaderboard, diagnosis, consistency, ramp."""
