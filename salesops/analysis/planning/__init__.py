"""Planning for the next fiscal year: capacity, quotas, territories and the comp plan under them."""
