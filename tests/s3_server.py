"""A real S3 server on loopback: moto's server mode in a process of its own."""

from __future__ import annotations

import subprocess
import sys
import time

import boto3
import requests
from botocore.config import Config

from bridge.documents.processes import end_group, free_ports

__all__ = ["S3Server"]

ACCESS = {"aws_access_key_id": "sealbridge-test", "aws_secret_access_key": "secret"}


class S3Server:
    """``python -m moto.server`` on a free port; ``stop`` kills it, ``start`` again."""

    def __init__(self) -> None:
        self.port = free_ports(1)[0]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> S3Server:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                str(self.port),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                requests.get(f"{self.url}/moto-api/", timeout=2)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto did not start on {self.url}")

    def stop(self) -> None:
        if self.process is not None:
            end_group(self.process)
            self.process = None

    def client(self):
        """A boto3 client of this server (to make buckets, look behind the bridge)."""
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}),
            **ACCESS,
        )

    def settings(self, bucket: str, **extra) -> dict:
        """The bridge's ``S3`` configuration table for ``bucket`` on this server."""
        return {
            "bucket": bucket,
            "endpoint_url": self.url,
            "region": "us-east-1",
            "addressing_style": "path",
            "access_key_id": ACCESS["aws_access_key_id"],
            "secret_access_key": ACCESS["aws_secret_access_key"],
            **extra,
        }
