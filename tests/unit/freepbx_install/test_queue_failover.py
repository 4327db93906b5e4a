"""Does a FreePBX queue send callers nobody answered back to Switchboard? (read from the
generated dialplan, directly or through a custom destination)."""

from __future__ import annotations

from freepbx.queue_checks import queue_fails_over

GENERATED = """
[ext-queues]
include => ext-queues-custom
exten => 400,1,Macro(user-callerid,)
exten => 400,n(qcall),Queue(400,${QOPTIONS},,${QAANNOUNCE},${QMAXWAIT})
exten => 400,n,Goto(app-blackhole,hangup,1)
exten => 401,1,Macro(user-callerid,)
 same => n,Queue(401,t,,,120)
 same => n,Goto(customdests,dest-2,1)
exten => 402,1,Queue(402,t,,,120)
exten => 402,n,Goto(switchboard-queue-failover,s,1)
exten => 403,1,Queue(403,t,,,120)
exten => 403,n,Goto(customdests,dest-1,1)

[customdests]
exten => dest-1,1,Noop(Other)
exten => dest-1,n,Goto(somewhere-else,s,1)
exten => dest-2,1,Noop(Switchboard: nobody answered)
exten => dest-2,n,Goto(switchboard-queue-failover,s,1)
"""


def test_failover_destinations() -> None:
    assert queue_fails_over(GENERATED, "401")  # through the custom destination
    assert queue_fails_over(GENERATED, "402")  # directly
    assert not queue_fails_over(GENERATED, "400")  # hangs up
    assert not queue_fails_over(GENERATED, "403")  # a custom destination elsewhere
    assert not queue_fails_over(GENERATED, "499")  # no such queue
    assert not queue_fails_over("", "401")
