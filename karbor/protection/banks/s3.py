"""A bank in an S3 bucket (AWS S3, Ceph RGW, MinIO, rclone serve s3...).

Layout, below ``key_prefix`` in ``bucket``::

    <key>                   the object's bytes, with user metadata:
                            karbor-sha256, karbor-size (objects written in
                            one request) or karbor-info (objects written in
                            parts), and the caller's metadata as
                            karbor-m-<encoded name>
    <key>~info-<write id>   of an object written in parts: JSON with its
                            SHA-256 and size

``~`` is not allowed in keys, so info objects never collide with an object
and listings skip them.

An object smaller than ``part_size`` is one PutObject whose metadata holds
its SHA-256 and size. A larger one is a multipart upload, streamed part by
part. Its SHA-256 is only known after the last part, and an upload's
metadata is fixed when it starts, so the upload's metadata names a fresh
write id and the SHA-256 goes into the info object of that id, written
*before* CompleteMultipartUpload. PutObject and CompleteMultipartUpload
replace an object atomically, so a reader sees the old object or the new
one, and the info of either exists while it is visible. The writer then
deletes the info object of the version it replaced (it looks the version
up just before its commit); a failed write aborts its multipart upload (no
orphan parts) and deletes its info object.

Reads are checked: a stream read to its end raises BankError if its bytes
do not match the recorded SHA-256 and size, and an object without them
(not written by this bank) cannot be read.

One boto3 client, made from a session of its own (sessions are not
thread-safe, clients are), serves every thread of the worker.
"""

from concurrent import futures
import contextlib
import hashlib
import json
import re
import threading
import urllib.parse
import uuid

import boto3
from botocore import config as botocore_config
from botocore import exceptions as botocore_exceptions
from oslo_config import cfg
from oslo_log import log as logging
from urllib3 import exceptions as urllib3_exceptions

from karbor.common import exceptions
from karbor.protection.banks import base

LOG = logging.getLogger(__name__)

MiB = 1024 * 1024

s3_bank_opts = [
    cfg.StrOpt('endpoint_url',
               help='URL of the S3 service, e.g. https://rgw.example.com '
                    '(Ceph RGW, MinIO...). Unset: AWS S3 in region_name.'),
    cfg.StrOpt('region_name',
               help='Region of the bucket. Needed by AWS; other services '
                    'usually accept any value.'),
    cfg.StrOpt('bucket', required=True,
               help='The bucket that holds the bank objects.'),
    cfg.StrOpt('access_key', secret=True,
               help='Access key id. Unset, together with secret_key: '
                    'boto3\'s usual sources (AWS_* environment variables, '
                    '~/.aws, instance profile).'),
    cfg.StrOpt('secret_key', secret=True,
               help='Secret access key.'),
    cfg.StrOpt('key_prefix', default='',
               help='Prefix of the bank\'s objects in the bucket, a path '
                    'such as "karbor/provider-a", so that several banks can '
                    'share a bucket. Empty: the whole bucket.'),
    cfg.BoolOpt('create_bucket', default=False,
                help='Create the bucket if it does not exist; otherwise a '
                     'missing bucket is an error.'),
    cfg.IntOpt('part_size', default=8 * MiB, min=5 * MiB, max=5 * 1024 * MiB,
               help='Bytes. Smaller objects are written with one request, '
                    'larger ones in parts of this size (a multipart '
                    'upload of at most 10000 parts, so objects up to 10000 '
                    'times this size).'),
    cfg.IntOpt('max_concurrency', default=2, min=1,
               help='Parts of one object uploaded at the same time. A '
                    'write holds at most max_concurrency + 1 parts in '
                    'memory.'),
    cfg.IntOpt('max_buffered_parts', default=2, min=1,
               help='Parts held in memory by all the writes of this bank '
                    'together (the resources and objects a worker '
                    'transfers in parallel share them): memory stays '
                    'bounded by max_buffered_parts x part_size whatever '
                    'the number and size of the objects.'),
    cfg.BoolOpt('payload_signing', default=False,
                help='Sign each request body with its SHA-256 (SigV4). Over '
                     'https botocore does not for streamed uploads anyway; '
                     'over plain http it costs a SHA-256 pass over every '
                     'byte on both ends. Without it, bodies are still '
                     'checked by the CRC32 of each part and by the SHA-256 '
                     'the bank records and checks on every read.'),
    cfg.IntOpt('max_attempts', default=5, min=1,
               help='Attempts of each request, the first one included, '
                    'with botocore\'s "standard" retry mode (back-off on '
                    'throttling, 5xx answers and connection errors).'),
    cfg.FloatOpt('connect_timeout', default=10, min=0.01,
                 help='Seconds to wait for a connection to the endpoint.'),
    cfg.FloatOpt('read_timeout', default=60, min=0.01,
                 help='Seconds to wait for data on a connection.'),
    cfg.BoolOpt('verify_ssl', default=True,
                help='Verify the TLS certificate of an https endpoint '
                     '(the AWS_CA_BUNDLE environment variable names a '
                     'private CA).'),
    cfg.StrOpt('addressing_style', default='path',
               choices=['path', 'virtual', 'auto'],
               help='"path": http://endpoint/bucket/key (what most '
                    'S3-compatible services expect); "virtual": '
                    'http://bucket.endpoint/key; "auto": botocore '
                    'chooses.'),
]

META_SHA256 = 'karbor-sha256'
META_SIZE = 'karbor-size'
META_INFO = 'karbor-info'  # the write id of an object written in parts
USER_META_PREFIX = 'karbor-m-'
INFO_SEPARATOR = '~info-'
MAX_PARTS = 10000  # the S3 limit
LIST_PAGE_SIZE = 1000  # keys per ListObjectsV2 request (the S3 maximum)

_NAME_SAFE = frozenset('abcdefghijklmnopqrstuvwxyz0123456789')
# Visible ASCII but '%': header values are ASCII and lose outer spaces.
_VALUE_SAFE = ''.join(chr(c) for c in range(0x21, 0x7f) if chr(c) != '%')
_WRITE_ID = re.compile(r'^[0-9a-f]{32}$')
_PREFIX_TAIL = re.compile(r'^[A-Za-z0-9_:.\-]*$')
_END = object()
_READ_ERRORS = (botocore_exceptions.BotoCoreError,
                urllib3_exceptions.HTTPError, OSError)


def list_opts():
    return {S3Bank.SECTION: s3_bank_opts}


def _encode_name(name):
    """Metadata names travel as lower-cased HTTP header names (and some
    proxies drop those with '_'): keep [a-z0-9], escape the rest as -XX
    bytes of UTF-8, so that any name comes back exactly."""
    return ''.join(c if c in _NAME_SAFE else ''.join(
        '-%02x' % b for b in c.encode()) for c in name)


def _decode_name(encoded):
    return urllib.parse.unquote(encoded.replace('-', '%'), errors='strict')


def _status(err):
    return err.response.get('ResponseMetadata', {}).get('HTTPStatusCode')


def _code(err):
    return str(err.response.get('Error', {}).get('Code', ''))


class _PartReader:
    """Part-sized bytearrays read from bytes, a binary file object or an
    iterable of bytes chunks, buffering nothing beyond the part it fills
    (but what is left of the caller's own chunk)."""

    def __init__(self, data, part_size):
        self._part_size = part_size
        self._rest = memoryview(b'')
        self._back = None
        self._file = data if hasattr(data, 'read') else None
        if isinstance(data, (bytes, bytearray, memoryview)):
            self._chunks = iter([memoryview(data).cast('B')])
        elif self._file is None:
            self._chunks = iter(data)  # TypeError if not iterable

    def push_back(self, part):
        """Make ``part`` the next one read (the reader then holds it)."""
        self._back = part

    def read_part(self):
        """The next part: full, or shorter (maybe empty) at the end."""
        if self._back is not None:
            part, self._back = self._back, None
            return part
        # Filled in place: growing a bytearray chunk by chunk would
        # reallocate (and briefly hold twice) the part.
        part = bytearray(self._part_size)
        with memoryview(part) as view:
            filled = self._fill(view)
        if filled < self._part_size:
            del part[filled:]
        return part

    def _fill(self, view):
        filled, size = 0, len(view)
        while filled < size:
            if self._file is not None:
                if hasattr(self._file, 'readinto'):
                    count = self._file.readinto(view[filled:])
                else:
                    chunk = memoryview(self._file.read(size - filled))
                    count = len(chunk)
                    view[filled:filled + count] = chunk.cast('B')
                if not count:
                    break
                filled += count
                continue
            if not self._rest:
                chunk = next(self._chunks, _END)
                if chunk is _END:
                    break
                self._rest = memoryview(chunk).cast('B')  # TypeError if str
                continue
            piece = self._rest[:size - filled]
            view[filled:filled + len(piece)] = piece
            filled += len(piece)
            self._rest = self._rest[len(piece):]
        return filled


class _ObjectStream:
    """The chunks of a GetObject body: read lazily, checked against the
    recorded SHA-256 and size at the end, closed at the end,
    on close() or when dropped (so an unread stream frees its
    connection)."""

    def __init__(self, key, body, chunk_size, expected, fail):
        self._key = key
        self._body = body
        self._chunk_size = chunk_size
        self._expected = expected  # (sha256, size)
        # What this stream checks the bytes against as it reads them, so
        # that a reader holding a manifest need not hash them again.
        self.recorded = expected
        self._digest, self._size = hashlib.sha256(), 0
        self._fail = fail  # a BankError for a reason (a string or error)

    def __iter__(self):
        return self

    def __next__(self):
        if self._body is None:
            raise StopIteration
        try:
            chunk = self._body.read(self._chunk_size)
        except _READ_ERRORS as err:
            self.close()
            raise self._fail(err) from err
        if not chunk:
            self.close()
            if self._expected != (
                    self._digest.hexdigest(), self._size):
                raise exceptions.BankObjectCorrupted(
                    key=self._key,
                    reason='the %d bytes read do not match its recorded '
                           'SHA-256 and size (it changed while read, or is '
                           'damaged)' % self._size)
            raise StopIteration
        self._digest.update(chunk)
        self._size += len(chunk)
        return chunk

    def close(self):
        body, self._body = self._body, None
        if body is not None:
            with contextlib.suppress(Exception):
                body.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        self.close()


class _InfoGone(Exception):
    """The info object of the version answered is gone, or does not match
    it: the object was replaced meanwhile (or the server is confused)."""

    def __init__(self, write_id, reason):
        super().__init__(reason)
        self.write_id = write_id
        self.reason = reason


def _valid_key(key):
    try:
        base.check_key(key)
    except exceptions.InvalidBankKey:
        return False
    return True


def _lower(metadata):
    # AWS lower-cases metadata names; some services (rclone) capitalise.
    return {name.lower(): value for name, value in (metadata or {}).items()}


def _write_id_of(head):
    """The write id of an object written in parts (None otherwise)."""
    write_id = _lower(head.get('Metadata')).get(META_INFO, '')
    return write_id if _WRITE_ID.match(write_id) else None


class S3Bank(base.Bank):
    """Objects in an S3 bucket, below ``key_prefix``."""

    SECTION = 's3_bank'

    def __init__(self, config, section=None):
        super().__init__(config, section)
        config.register_opts(s3_bank_opts, group=self.SECTION)
        section = config[self.SECTION]
        if not section.bucket:
            raise exceptions.BankError(
                reason='option [%s] bucket is required' % self.SECTION)
        if bool(section.access_key) != bool(section.secret_key):
            raise exceptions.BankError(
                reason='options [%s] access_key and secret_key go together'
                % self.SECTION)
        self.bucket = section.bucket
        self.key_prefix = self._check_prefix(section.key_prefix)
        self._part_size = section.part_size
        self._max_concurrency = section.max_concurrency
        # One slot per part buffer, shared by every write of this bank.
        self._buffers = threading.BoundedSemaphore(
            section.max_buffered_parts)
        self._secrets = [s for s in (section.access_key, section.secret_key)
                         if s]
        self.endpoint = section.endpoint_url or 'AWS S3'
        try:
            # A session of its own: sessions are not thread-safe, and the
            # default one is shared with whatever else uses boto3.
            session = boto3.session.Session(
                aws_access_key_id=section.access_key or None,
                aws_secret_access_key=section.secret_key or None,
                region_name=section.region_name or None)
            self._client = session.client(
                's3', endpoint_url=section.endpoint_url or None,
                verify=section.verify_ssl,
                config=botocore_config.Config(
                    connect_timeout=section.connect_timeout,
                    read_timeout=section.read_timeout,
                    retries={'mode': 'standard',
                             'total_max_attempts': section.max_attempts},
                    s3={'addressing_style': section.addressing_style,
                        'payload_signing_enabled': section.payload_signing},
                    # botocore's CRC check of downloads fails with an
                    # AttributeError on a 5xx answer that carries a checksum
                    # header (rclone sends them); the SHA-256 the bank
                    # records is what verifies content.
                    response_checksum_validation='when_required',
                    # Parts of several concurrent writes share the pool.
                    max_pool_connections=max(
                        10, 4 * (section.max_concurrency + 1)),
                    user_agent_extra='karbor-s3-bank'))
        except (botocore_exceptions.BotoCoreError, ValueError) as err:
            raise exceptions.BankError(reason=self._redact(
                'cannot set up an S3 client for bucket %r at %s: %s'
                % (self.bucket, self.endpoint, err))) from None
        self.endpoint = self._client.meta.endpoint_url
        # Like boto3's transfers: with botocore's default checksums, parts
        # carry a CRC32 that CompleteMultipartUpload must repeat.
        self._part_checksum = {'ChecksumAlgorithm': 'CRC32'} if (
            self._client.meta.config.request_checksum_calculation
            == 'when_supported') else {}
        self._check_bucket(section.create_bucket)

    def _check_prefix(self, value):
        prefix = (value or '').strip('/')
        if prefix and not _valid_key(prefix):
            raise exceptions.BankError(
                reason='option [%s] key_prefix %r is not a safe path'
                % (self.SECTION, value))
        return prefix + '/' if prefix else ''

    def _check_bucket(self, create):
        try:
            self._client.head_bucket(Bucket=self.bucket)
            return
        except botocore_exceptions.ClientError as err:
            if _status(err) != 404:
                raise self._error('use', None, err) from err
        except botocore_exceptions.BotoCoreError as err:
            raise self._error('use', None, err) from err
        if not create:
            raise exceptions.BankError(
                reason='bucket %r does not exist at %s (create it, or set '
                       '[%s] create_bucket = true)'
                % (self.bucket, self.endpoint, self.SECTION))
        params = {}
        region = self._client.meta.region_name
        if self.endpoint.endswith('.amazonaws.com') and \
                region not in (None, 'us-east-1'):
            # Only AWS wants it; other services may refuse AWS regions.
            params['CreateBucketConfiguration'] = {
                'LocationConstraint': region}
        try:
            self._client.create_bucket(Bucket=self.bucket, **params)
            LOG.info('Created bucket %s at %s', self.bucket, self.endpoint)
        except botocore_exceptions.ClientError as err:
            if _code(err) != 'BucketAlreadyOwnedByYou':  # a race: fine
                raise self._error('create', None, err) from err
        except botocore_exceptions.BotoCoreError as err:
            raise self._error('create', None, err) from err

    # -- errors -------------------------------------------------------------
    def _redact(self, text):
        text = str(text)
        for secret in self._secrets:
            text = text.replace(secret, '***')
        return text

    @staticmethod
    def _explain(err):
        if not isinstance(err, botocore_exceptions.ClientError):
            return str(err) or type(err).__name__
        code, status = _code(err), _status(err)
        if code == 'NoSuchBucket':
            return 'the bucket does not exist'
        message = err.response.get('Error', {}).get('Message') or code
        if code and code != str(status) and code not in message:
            message = '%s: %s' % (code, message)
        text = '%s (HTTP %s)' % (message, status)
        if status == 403:
            text += ' - check access_key, secret_key and the bucket policy'
        return text

    def _error(self, action, key, err):
        where = 'bucket %r at %s' % (self.bucket, self.endpoint)
        if key is not None:
            where = '%r in %s' % (key, where)
        return exceptions.BankError(reason=self._redact(
            'cannot %s %s: %s' % (action, where, self._explain(err))))

    def _call(self, action, key, method, not_found=False, **params):
        """``method`` on the bucket; botocore errors become BankError, and
        a missing object BankObjectNotFound when ``not_found``."""
        try:
            return method(Bucket=self.bucket, **params)
        except botocore_exceptions.ClientError as err:
            if not_found and _status(err) == 404 and \
                    _code(err) in ('404', 'NoSuchKey', 'NotFound'):
                raise exceptions.BankObjectNotFound(key=key) from None
            raise self._error(action, key, err) from err
        except botocore_exceptions.BotoCoreError as err:
            raise self._error(action, key, err) from err

    # -- keys and metadata --------------------------------------------------
    def _full(self, key):
        return self.key_prefix + base.check_key(key)

    @staticmethod
    def _metadata_headers(key, metadata):
        metadata = dict(metadata or {})
        if not all(isinstance(k, str) and isinstance(v, str)
                   for k, v in metadata.items()):
            raise exceptions.BankError(
                reason='metadata of %r must map strings to strings' % key)
        try:
            headers = {USER_META_PREFIX + _encode_name(name):
                       urllib.parse.quote(value, safe=_VALUE_SAFE)
                       for name, value in metadata.items()}
        except UnicodeEncodeError:
            raise exceptions.BankError(
                reason='metadata of %r is not valid text' % key) from None
        return metadata, headers

    @staticmethod
    def _user_metadata(key, metadata):
        user = {}
        try:
            for name, value in metadata.items():
                if name.startswith(USER_META_PREFIX):
                    user[_decode_name(name[len(USER_META_PREFIX):])] = \
                        urllib.parse.unquote(value, errors='strict')
        except ValueError:  # UnicodeDecodeError included
            raise exceptions.BankError(
                reason='metadata of %r is not in Karbor\'s encoding'
                % key) from None
        return user

    def _head(self, action, key, full):
        """HeadObject's answer, or None if there is no such object."""
        try:
            return self._call(action, key, self._client.head_object,
                              not_found=True, Key=full)
        except exceptions.BankObjectNotFound:
            return None

    def _forget(self, key, full, write_id):
        """Delete the info object of a replaced or failed write."""
        if write_id is None:
            return
        try:
            self._call('delete the info of', key, self._client.delete_object,
                       Key=full + INFO_SEPARATOR + write_id)
        except exceptions.BankError as err:
            LOG.warning('Left an unused info object behind: %s', err)

    # -- writing ------------------------------------------------------------
    def put_object(self, key, data, metadata=None):
        full = self._full(key)
        metadata, headers = self._metadata_headers(key, metadata)
        reader = _PartReader(data, self._part_size)
        self._buffers.acquire()
        try:
            part = reader.read_part()
        except BaseException:
            self._buffers.release()
            raise
        if len(part) < self._part_size:
            try:
                return self._put_whole(key, full, part, headers, metadata)
            finally:
                self._buffers.release()
        reader.push_back(part)
        del part  # the reader hands it (and its buffer slot) to the upload
        sha256, size = self._put_parts(key, full, headers, reader)
        return base.ObjectInfo(key, size, sha256, metadata)

    def _put_whole(self, key, full, part, headers, metadata):
        sha256 = hashlib.sha256(part).hexdigest()
        headers.update({META_SHA256: sha256, META_SIZE: str(len(part))})
        replaced = self._head('write', key, full)
        self._call('write', key, self._client.put_object, Key=full,
                   Body=part, Metadata=headers)
        if replaced is not None:
            self._forget(key, full, _write_id_of(replaced))
        return base.ObjectInfo(key, len(part), sha256, metadata)

    def _put_parts(self, key, full, headers, reader):
        """A multipart upload; its info object written before it is
        completed, and the upload aborted on any failure."""
        write_id = uuid.uuid4().hex
        upload_id = self._call(
            'write', key, self._client.create_multipart_upload, Key=full,
            Metadata=dict(headers, **{META_INFO: write_id}),
            **self._part_checksum)['UploadId']
        info_key = full + INFO_SEPARATOR + write_id
        info_written = committed = False
        try:
            parts, sha256, size = self._upload_parts(key, full, upload_id,
                                                     reader)
            self._call('write the info of', key, self._client.put_object,
                       Key=info_key, ContentType='application/json',
                       Body=json.dumps({'sha256': sha256, 'size': size,
                                        'write_id': write_id}).encode())
            info_written = True
            replaced = self._head('write', key, full)
            try:
                self._call('write', key,
                           self._client.complete_multipart_upload, Key=full,
                           UploadId=upload_id,
                           MultipartUpload={'Parts': parts})
            except exceptions.BankError:
                # The answer may have been lost after the upload completed.
                if self._committed(key, full, write_id):
                    LOG.info('Upload of %r completed although its answer '
                             'failed', key)
                else:
                    raise
            committed = True
        finally:
            if not committed:
                self._abort(key, full, upload_id)
                if info_written:
                    self._forget(key, full, write_id)
        if replaced is not None:
            self._forget(key, full, _write_id_of(replaced))
        return sha256, size

    def _committed(self, key, full, write_id):
        try:
            head = self._head('check the write of', key, full)
        except exceptions.BankError:
            return False
        return head is not None and _write_id_of(head) == write_id

    def _abort(self, key, full, upload_id):
        try:
            self._client.abort_multipart_upload(
                Bucket=self.bucket, Key=full, UploadId=upload_id)
        except botocore_exceptions.ClientError as err:
            if _code(err) != 'NoSuchUpload':
                LOG.warning('Left a multipart upload behind: %s',
                            self._error('abort the upload of', key, err))
        except botocore_exceptions.BotoCoreError as err:
            LOG.warning('Left a multipart upload behind: %s',
                        self._error('abort the upload of', key, err))

    def _upload_parts(self, key, full, upload_id, reader):
        """Parts read in order and uploaded up to max_concurrency at a time:
        at most max_concurrency + 1 parts in memory (those in flight and
        the one being read). (parts for CompleteMultipartUpload, sha256,
        size)."""
        digest, size, number = hashlib.sha256(), 0, 0
        parts, running = [], set()
        with futures.ThreadPoolExecutor(
                self._max_concurrency,
                thread_name_prefix='karbor-s3-upload') as pool:
            while True:
                if number:  # the first part came with its buffer slot
                    self._buffers.acquire()
                submitted = False
                try:
                    part = reader.read_part()
                    if not part:
                        break
                    number += 1
                    if number > MAX_PARTS:
                        raise exceptions.BankError(
                            reason='cannot write %r: larger than %d parts '
                                   'of %d bytes (raise [%s] part_size)'
                            % (key, MAX_PARTS, self._part_size,
                               self.SECTION))
                    digest.update(part)
                    size += len(part)
                    while len(running) >= self._max_concurrency:
                        done, running = futures.wait(
                            running, return_when=futures.FIRST_COMPLETED)
                        parts.extend(f.result() for f in done)  # raises
                    future = pool.submit(self._upload_part, key, full,
                                         upload_id, number, part)
                    future.add_done_callback(
                        lambda _f: self._buffers.release())
                    submitted = True
                    running.add(future)
                    del part  # only the upload holds it now
                finally:
                    if not submitted:
                        self._buffers.release()
            parts.extend(f.result() for f in futures.wait(running)[0])
        # Leaving the pool waited for parts in flight if one failed: the
        # upload is aborted after its last part, never before.
        return sorted(parts, key=lambda p: p['PartNumber']), \
            digest.hexdigest(), size

    def _upload_part(self, key, full, upload_id, number, part):
        answer = self._call('write', key, self._client.upload_part, Key=full,
                            UploadId=upload_id, PartNumber=number, Body=part,
                            **self._part_checksum)
        entry = {'PartNumber': number, 'ETag': answer['ETag']}
        if self._part_checksum and 'ChecksumCRC32' in answer:
            entry['ChecksumCRC32'] = answer['ChecksumCRC32']
        return entry

    # -- reading ------------------------------------------------------------
    def get_object(self, key, chunk_size=base.CHUNK_SIZE):
        if chunk_size <= 0:
            raise ValueError('chunk_size must be positive')
        full = self._full(key)
        # Requested now, so that a missing object raises now; the body is
        # read as the caller iterates.
        answer, expected, _metadata = self._read_consistently(
            'read', key, full, self._client.get_object)
        if expected is None:  # unverifiable: not a bank object
            answer['Body'].close()
            raise self._no_sha256(key)
        return _ObjectStream(key, answer['Body'], chunk_size, expected,
                             lambda reason: self._error('read', key, reason))

    def get_object_info(self, key):
        full = self._full(key)
        answer, expected, metadata = self._read_consistently(
            'read the info of', key, full, self._client.head_object)
        if expected is None:
            raise self._no_sha256(key)
        return base.ObjectInfo(key, expected[1], expected[0], metadata)

    def _no_sha256(self, key):
        return exceptions.BankError(
            reason='%r in bucket %r has no Karbor SHA-256: not written by '
                   'this bank, or the S3 service lost its metadata'
            % (key, self.bucket))

    def _read_consistently(self, action, key, full, method):
        """(answer of HEAD or GET ``method``, its (sha256, size) or None if
        the object has no Karbor SHA-256, its user metadata). Asks again
        when the info object of the version answered is gone: a writer
        replaced it meanwhile."""
        gone = None
        for _attempt in range(5):
            answer = self._call(action, key, method, not_found=True,
                                Key=full)
            try:
                expected = self._expected(key, full, answer)
                metadata = self._user_metadata(key, _lower(
                    answer.get('Metadata')))
                return answer, expected, metadata
            except _InfoGone as err:
                if 'Body' in answer:
                    answer['Body'].close()
                if gone is not None and err.write_id == gone.write_id:
                    break  # still the same version: not a replacement
                gone = err
            except BaseException:
                if 'Body' in answer:
                    answer['Body'].close()
                raise
        raise self._error(action, key, gone.reason)

    def _expected(self, key, full, answer):
        metadata = _lower(answer.get('Metadata'))
        size = answer['ContentLength']
        write_id = _write_id_of(answer)
        if META_SHA256 in metadata:
            sha256, recorded_size = (metadata[META_SHA256],
                                     metadata.get(META_SIZE))
        elif write_id is not None:
            info = self._read_info(key, full, write_id)
            sha256, recorded_size = info.get('sha256'), info.get('size')
        else:
            return None
        if str(recorded_size) != str(size) or not isinstance(
                sha256, str) or not re.match('^[0-9a-f]{64}$', sha256):
            raise _InfoGone(write_id, 'its recorded size and SHA-256 do not '
                                      'describe it (%s bytes)' % size)
        return sha256, size

    def _read_info(self, key, full, write_id):
        try:
            answer = self._call('read the info of', key,
                                self._client.get_object, not_found=True,
                                Key=full + INFO_SEPARATOR + write_id)
        except exceptions.BankObjectNotFound:
            raise _InfoGone(write_id, 'its info object is missing') from None
        try:
            with contextlib.closing(answer['Body']) as body:
                info = json.loads(body.read(64 * 1024))
        except _READ_ERRORS as err:
            raise self._error('read the info of', key, err) from err
        except ValueError:
            info = None
        if not isinstance(info, dict) or info.get('write_id') != write_id:
            raise exceptions.BankError(
                reason='the info object of %r in bucket %r is corrupt'
                % (key, self.bucket))
        return info

    # -- listing ------------------------------------------------------------
    def list_objects(self, prefix='', marker=None, limit=None):
        if not isinstance(prefix, str):
            raise exceptions.InvalidBankKey(key=prefix)
        if marker is not None and not isinstance(marker, str):
            raise exceptions.InvalidBankKey(key=marker)
        if limit is not None and limit <= 0:
            return []
        *dirs, tail = prefix.split('/')
        if dirs and not _valid_key('/'.join(dirs)) or \
                not _PREFIX_TAIL.match(tail):
            return []  # a prefix no key can have matches nothing
        keys = []
        start = self.key_prefix + marker if marker else None
        # Keys come out strictly ascending, after the marker: a server
        # that repeats a key in a listing (rclone serve s3 does while the
        # key is being overwritten) does not make it listed twice.
        last = marker
        while True:
            params = {'Prefix': self.key_prefix + prefix,
                      'MaxKeys': LIST_PAGE_SIZE if limit is None else
                      min(LIST_PAGE_SIZE, limit - len(keys))}
            if start:
                params['StartAfter'] = start
            answer = self._call('list', prefix, self._client.list_objects_v2,
                                **params)
            contents = answer.get('Contents') or []
            for entry in contents:
                name = entry['Key'][len(self.key_prefix):]
                # Info objects and foreign objects are not bank keys.
                if not entry['Key'].startswith(self.key_prefix) or \
                        not _valid_key(name) or \
                        (last is not None and name <= last):
                    continue
                keys.append(name)
                last = name
                if limit is not None and len(keys) >= limit:
                    return keys
            if not answer.get('IsTruncated') or not contents:
                return keys
            start = contents[-1]['Key']

    # -- deleting -----------------------------------------------------------
    def delete_object(self, key):
        full = self._full(key)
        # The object's write id names its info object, if it has one.
        head = self._head('delete', key, full)
        if head is None:
            return
        self._call('delete', key, self._client.delete_object, Key=full)
        self._forget(key, full, _write_id_of(head))
