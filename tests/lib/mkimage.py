#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes an OCI image layout for the tests (tests/integration/test-image-*.sh), from a JSON spec:

    mkimage.py SPEC.json DIR

    {
      "tag": "1.0",                       the ref.name annotation in index.json
      "arch": "amd64",                    default: this machine's
      "other_arch": "arm64",              also a manifest for another architecture: the
                                          layout's index then points at a nested image index
      "config": {"Entrypoint": [...], "Cmd": [...], "Env": [...], "WorkingDir": "/x",
                 "User": "1000", "Labels": {"k": "v"}},
      "layers": [
        {"compression": "gzip" | "zstd" | "none",
         "tar": "/path/to/layer.tar",      a tar made elsewhere (GNU tar --numeric-owner
                                          keeps owners) as the layer, instead of:
         "dir": "/path/to/tree",          the tree's contents (as root-owned, modes kept) ...
         "entries": [                     ... then these, in order
           {"name": "a/b", "type": "file", "data": "text", "mode": 493, "uid": 0, "gid": 0,
            "xattrs": {"security.capability": "<hex>"}, "size": N (zeros, for bombs)},
           {"name": "d", "type": "dir"},
           {"name": "l", "type": "symlink", "target": "/etc"},
           {"name": "h", "type": "hardlink", "target": "a/b"},
           {"name": "c", "type": "char", "major": 1, "minor": 3},
           {"name": "p", "type": "fifo"}],
         "corrupt": "blob" | "diff_id" | "media_type"   change a byte of the blob, the
                                          config's diff-id or the manifest's media type
        }]
    }

Prints the config digest (the image id) on stdout."""

import gzip
import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile

GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "i686": "386", "armv7l": "arm",
          "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}


def blob(root, data):
    d = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(root, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d


class Zeros(io.RawIOBase):
    """size bytes of zeros, streamed: a gzip bomb without the memory."""

    def __init__(self, size):
        self.left = size

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n


def add_entry(tar, e):
    t = e.get("type", "file")
    ti = tarfile.TarInfo(e["name"])
    ti.uid = e.get("uid", 0)
    ti.gid = e.get("gid", 0)
    ti.mtime = e.get("mtime", 1700000000)
    ti.mode = e.get("mode", 0o755 if t == "dir" else 0o644)
    if e.get("xattrs"):
        ti.pax_headers = {"SCHILY.xattr." + k: bytes.fromhex(v).decode("latin-1")
                          if k == "security.capability" else v for k, v in e["xattrs"].items()}
    fileobj = None
    if t == "file":
        if "size" in e:
            ti.size = e["size"]
            fileobj = Zeros(e["size"])
        else:
            data = e.get("data", "").encode()
            ti.size = len(data)
            fileobj = io.BytesIO(data)
    elif t == "dir":
        ti.type = tarfile.DIRTYPE
    elif t == "symlink":
        ti.type = tarfile.SYMTYPE
        ti.linkname = e["target"]
    elif t == "hardlink":
        ti.type = tarfile.LNKTYPE
        ti.linkname = e["target"]
    elif t == "char":
        ti.type = tarfile.CHRTYPE
        ti.devmajor, ti.devminor = e.get("major", 0), e.get("minor", 0)
    elif t == "block":
        ti.type = tarfile.BLKTYPE
        ti.devmajor, ti.devminor = e.get("major", 7), e.get("minor", 0)
    elif t == "fifo":
        ti.type = tarfile.FIFOTYPE
    tar.addfile(ti, fileobj)


def layer_tar(spec, path):
    if "tar" in spec:
        shutil.copyfile(spec["tar"], path)
        return
    with open(path, "wb") as out:
        with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
            if "dir" in spec:
                def root_owned(ti):
                    ti.uid = ti.gid = 0
                    ti.uname = ti.gname = ""
                    return ti
                for name in sorted(os.listdir(spec["dir"])):
                    tar.add(os.path.join(spec["dir"], name), arcname=name, filter=root_owned)
            for e in spec.get("entries", []):
                add_entry(tar, e)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    spec = json.load(open(sys.argv[1]))
    root = sys.argv[2]
    os.makedirs(root, exist_ok=True)
    arch = spec.get("arch", GOARCH.get(platform.machine(), platform.machine()))
    tmp = os.path.join(root, ".layer.tar")

    layers, diff_ids = [], []
    for i, l in enumerate(spec["layers"]):
        layer_tar(l, tmp)
        diff_id = sha256_file(tmp)
        comp = l.get("compression", "gzip")
        if comp == "gzip":
            with open(tmp, "rb") as f, open(tmp + ".c", "wb") as o:
                with gzip.GzipFile(fileobj=o, mode="wb", compresslevel=6, mtime=0) as g:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        g.write(chunk)
            media = "application/vnd.oci.image.layer.v1.tar+gzip"
        elif comp == "zstd":
            subprocess.run(["zstd", "-q", "-f", tmp, "-o", tmp + ".c"], check=True)
            media = "application/vnd.oci.image.layer.v1.tar+zstd"
        else:
            os.rename(tmp, tmp + ".c")
            media = "application/vnd.oci.image.layer.v1.tar"
        d = sha256_file(tmp + ".c")
        size = os.path.getsize(tmp + ".c")
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        os.rename(tmp + ".c", os.path.join(root, "blobs", "sha256", d))
        if os.path.exists(tmp):
            os.unlink(tmp)
        if l.get("corrupt") == "blob":
            # One byte of the blob changed, its name and size kept.
            with open(os.path.join(root, "blobs", "sha256", d), "r+b") as f:
                f.seek(size // 2)
                c = f.read(1)
                f.seek(size // 2)
                f.write(bytes([c[0] ^ 1]))
        if l.get("corrupt") == "diff_id":
            diff_id = "f" * 64
        if l.get("corrupt") == "media_type":
            media = "application/vnd.oci.image.layer.v1.tar+xz"
        layers.append({"mediaType": media, "digest": "sha256:" + d, "size": size})
        diff_ids.append("sha256:" + diff_id)

    def image(a):
        config = {"architecture": a, "os": "linux", "created": "2026-01-02T03:04:05Z",
                  "config": spec.get("config", {}),
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        c = json.dumps(config).encode()
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                               "digest": blob(root, c), "size": len(c)},
                    "layers": layers}
        m = json.dumps(manifest).encode()
        return {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": blob(root, m), "size": len(m),
                "platform": {"architecture": a, "os": "linux"}}, "sha256:" + hashlib.sha256(c).hexdigest()

    desc, config_digest = image(arch)
    if "other_arch" in spec:
        other, _ = image(spec["other_arch"])
        idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                          "manifests": [other, desc]}).encode()
        desc = {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": blob(root, idx),
                "size": len(idx)}
    else:
        desc = dict(desc)
        del desc["platform"]
    if "tag" in spec:
        desc["annotations"] = {"org.opencontainers.image.ref.name": spec["tag"]}
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": [desc]}, f)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(config_digest[7:])


if __name__ == "__main__":
    main()
