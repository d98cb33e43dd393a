"""Compensation plans: plan files, a traceable commission engine, statements and plan evaluation."""
