"""Vision backends: Ollama and OpenAI-compatible servers, curated models, prompts and caption clean-up."""
