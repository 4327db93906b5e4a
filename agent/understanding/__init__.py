"""Understanding callers: which tools a request needs, which item it names, what an answer
means. One home for it: the tool catalogue and output grammar (:mod:`.catalogue`,
:mod:`.grammar`), the planner prompt (:mod:`.prompt`), reading the planner's output
(:mod:`.calls`), references to items heard earlier in the call (:mod:`.references`) and
answers to the assistant's own questions (:mod:`.answers`)."""
