"""Guest sources and destinations other than an Invitario-style station."""
