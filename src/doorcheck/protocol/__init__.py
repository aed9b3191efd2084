"""The station protocol as data: the wire models, the error tree, the streaming list
parser and the setup-QR payload. No network code here: the kiosk's client
(station/) and the reference server (server/) both speak through these."""
