#!/usr/bin/python3
"""A simulated IP camera for the probe tests: GStreamer's RTSP server.

Usage: rtsp_camera.py ADDR PORT [USER:PASSWORD]

Serves a small test pattern (Motion JPEG over RTP) at rtsp://ADDR:PORT/live.
With USER:PASSWORD, every request must carry HTTP Digest authentication
for that user, as many cameras demand; without, anyone may watch.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

Gst.init(None)
addr, port = sys.argv[1], sys.argv[2]
server = GstRtspServer.RTSPServer()
server.set_address(addr)
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    "( videotestsrc is-live=1 ! video/x-raw,format=I420,width=160,height=120,framerate=5/1 ! jpegenc ! rtpjpegpay name=pay0 pt=26 )"
)
factory.set_shared(True)
if len(sys.argv) > 3:
    user, password = sys.argv[3].split(":", 1)
    auth = GstRtspServer.RTSPAuth()
    auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
    auth.add_digest(user, password, token)
    server.set_auth(auth)
    factory.add_role_from_structure(
        Gst.Structure.new_from_string(
            "viewer, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
        )
    )
server.get_mount_points().add_factory("/live", factory)
if server.attach(None) == 0:
    sys.exit("cannot listen on %s:%s" % (addr, port))
print("listening", flush=True)
GLib.MainLoop().run()
