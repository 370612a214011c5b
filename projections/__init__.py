"""Read models built from the event stream (dashboard, audit trail, CE ledger,
measurement). Each follows the notification log from its own tracked position."""
