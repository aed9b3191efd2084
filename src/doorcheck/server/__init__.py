"""The reference station server: Invitario-style v1.0 plus doorcheck's write extension."""
