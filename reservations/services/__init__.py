"""Reservations' domain logic: `reservations` (ReserveNow, CancelReservation) sends commands;
`lifecycle` follows what happens to a reservation afterwards (station updates, use, expiry)."""
