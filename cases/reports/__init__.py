"""What leaders read: office statistics, the daily briefing, closure reports and their charts."""
