"""Reminders that call you: the dialer places call-outs through the trunk, the call speaks
the reminder and lets the user mark it done or snooze it by voice or keypad."""
