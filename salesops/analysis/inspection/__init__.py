"""Pipeline inspection for the weekly forecast call: what moved in the pipeline between two
dates, close-date slippage, deals pushed often and forecast-category transitions.

Every analysis here needs the opportunity history (``salesops.data.history``); see
docs/pipeline-inspection.md for the definitions.
"""
