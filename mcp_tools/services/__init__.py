"""Narrow service interfaces for the telephony side: PIN sign-in and call records."""
