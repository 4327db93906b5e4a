"""Build the speech components the settings ask for (models load here, once)."""

from __future__ import annotations

from pathlib import Path

from ari_app.speech.bargein import BargeInConfig
from ari_app.speech.ports import SpeechToText, TextToSpeech, TurnEndModel
from ari_app.speech.segmenter import SegmenterConfig
from ari_app.speech.turn_end import TurnEndConfig
from ari_app.speech.vad_silero import SileroVadModel
from switchboard.settings import SpeechSettings, default_cache_dir


def model_cache(settings: SpeechSettings) -> Path:
    """Where models assembled or extracted at install time live."""
    return settings.model_cache_dir or default_cache_dir() / "models"


def segmenter_config(settings: SpeechSettings) -> SegmenterConfig:
    """Endpointing thresholds from the settings.

    With a turn-end model, speculative recognition starts at ``speculative_stt_ms`` of silence,
    the model is asked at ``turn_check_ms``, and silence alone ends an utterance only at the
    cap (``turn_cap_ms``)."""
    if settings.turn_model != "none":
        check = settings.turn_check_ms
        early = settings.speculative_stt_ms if 0 < settings.speculative_stt_ms < check else check
        return SegmenterConfig(
            threshold=settings.vad_threshold,
            neg_threshold=settings.vad_neg_threshold,
            min_speech_ms=settings.min_speech_ms,
            end_silence_ms=max(settings.turn_cap_ms, check + 32.0),
            pre_roll_ms=settings.pre_roll_ms,
            post_roll_ms=min(150.0, early),
            tentative_silence_ms=early,
            check_silence_ms=check,
        )
    return SegmenterConfig(
        threshold=settings.vad_threshold,
        neg_threshold=settings.vad_neg_threshold,
        min_speech_ms=settings.min_speech_ms,
        end_silence_ms=settings.end_silence_ms,
        pre_roll_ms=settings.pre_roll_ms,
        post_roll_ms=min(150.0, settings.end_silence_ms),
        tentative_silence_ms=(
            max(settings.speculative_stt_ms, min(150.0, settings.end_silence_ms))
            if 0 < settings.speculative_stt_ms < settings.end_silence_ms
            else 0.0
        ),
    )


def bargein_config(settings: SpeechSettings) -> BargeInConfig:
    """Barge-in thresholds from the settings."""
    return BargeInConfig(
        threshold=settings.barge_in_threshold,
        neg_threshold=min(settings.vad_neg_threshold, settings.barge_in_threshold),
        min_speech_ms=settings.barge_in_min_speech_ms,
        suspect_threshold=max(settings.barge_in_suspect_threshold, settings.barge_in_threshold),
        confirm_speech_ms=settings.barge_in_confirm_ms,
    )


def turn_end_config(settings: SpeechSettings) -> TurnEndConfig:
    """How sure the turn-end decision must be."""
    return TurnEndConfig(threshold=settings.turn_threshold, use_words=settings.turn_words)


def build_turn_model(settings: SpeechSettings) -> TurnEndModel | None:
    """The shared turn-end model, loaded; None when silence alone decides."""
    if settings.turn_model == "none":
        return None
    from ari_app.speech.turn_model import SmartTurnModel, smart_turn_path

    return SmartTurnModel.load(smart_turn_path(model_cache(settings)))


def build_vad(settings: SpeechSettings) -> SileroVadModel:
    """The shared Silero model; make one stream per call with ``.stream(rate)``."""
    del settings  # nothing to choose yet
    return SileroVadModel.load()


def build_stt(settings: SpeechSettings) -> SpeechToText:
    """The configured speech-to-text backend, loaded."""
    if settings.stt_backend == "openai":
        from ari_app.speech.stt_openai import OpenAiStt

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAiStt(
            settings.openai_base_url,
            key,
            settings.openai_stt_model,
            timeout_s=settings.openai_timeout_s,
        )
    if settings.stt_backend == "vosk":
        from ari_app.speech.stt_vosk import VoskStt

        return VoskStt.load(settings.vosk_model_dir)
    from ari_app.speech.stt_whisper import WhisperConfig, WhisperStt, model_dir

    path = settings.whisper_model_dir or model_dir(settings.whisper_model, model_cache(settings))
    return WhisperStt.load(
        WhisperConfig(
            model_path=path,
            cpu_threads=settings.whisper_cpu_threads,
            window_s=settings.whisper_window_s,
        )
    )


def build_tts(settings: SpeechSettings) -> TextToSpeech:
    """The configured text-to-speech backend, loaded."""
    if settings.tts_backend == "openai":
        from ari_app.speech.tts_openai import OpenAiTts

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAiTts(
            settings.openai_base_url,
            key,
            settings.openai_tts_model,
            settings.openai_tts_voice,
            timeout_s=settings.openai_timeout_s,
        )
    from ari_app.speech.tts_piper import PiperTts

    return PiperTts.load(
        settings.piper_model,
        threads=settings.piper_threads,
        deterministic=settings.tts_deterministic,
    )
