"""Tariffs, the pricing engine, the cost sent to stations, invoices, the ledger and payments.

Only the pure pricing engine (`billing.pricing`) exists so far; see docs/billing.md.
"""
