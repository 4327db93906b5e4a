"""Private, revocable iCalendar feeds of a user's or a team's events and todos."""
