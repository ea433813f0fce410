"""The official `openai` Python client (PyPI) against Reactor's AI gateway: chat, streaming, embeddings, models,
and an error. Prints one JSON object. Usage: openai_oracle.py BASE_URL (the gateway's /ai/v1 URL)."""
import json
import sys

import openai

base = sys.argv[1]
client = openai.OpenAI(base_url=base, api_key="reactor-test-token", max_retries=0, timeout=30)
out = {"version": openai.__version__}

answer = client.chat.completions.create(model="fast", messages=[{"role": "user", "content": "from python"}])
out["chat"] = answer.choices[0].message.content
out["chatUsage"] = [answer.usage.prompt_tokens, answer.usage.completion_tokens]

pieces = []
usage = None
stream = client.chat.completions.create(
    model="fast", messages=[{"role": "user", "content": "streamed"}], stream=True, stream_options={"include_usage": True})
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        pieces.append(chunk.choices[0].delta.content)
    if chunk.usage:
        usage = [chunk.usage.prompt_tokens, chunk.usage.completion_tokens]
out["stream"] = pieces
out["streamUsage"] = usage

embeddings = client.embeddings.create(model="fast", input=["a", "b"])
out["embeddings"] = [len(item.embedding) for item in embeddings.data]

out["models"] = [model.id for model in client.models.list()]

try:
    client.chat.completions.create(model="missing", messages=[{"role": "user", "content": "x"}])
    out["missing"] = "no error"
except openai.NotFoundError as error:
    out["missing"] = error.body.get("code") if isinstance(error.body, dict) else str(error.body)

try:
    client.chat.completions.create(model="picky", messages=[{"role": "user", "content": "x"}])
    out["picky"] = "no error"
except openai.BadRequestError as error:
    out["picky"] = error.status_code

print(json.dumps(out))
