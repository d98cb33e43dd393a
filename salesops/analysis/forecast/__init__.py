"""Forecasting: bookings time series, candidate models, backtests, pipeline and accuracy.

Pure functions over arrays and DataFrames; see docs/forecasting.md for the methods.
"""
