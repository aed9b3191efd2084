"""Reading codes: camera and file frames (OpenCV), decoding (zxing-cpp), USB scanners."""
