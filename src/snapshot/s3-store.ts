// A snapshot store in an S3 bucket (or any S3-compatible server: endpoint + path-style).
// Credentials come from the standard AWS chain (environment, shared config, instance role).
// Small bodies go up in one PutObject; larger ones as a multipart upload (aborted on any
// failure, so no half object is ever visible: S3 objects appear whole or not at all).
//
// The AWS SDK is loaded on first use (`loadS3Sdk()`), not when this module is: it takes hundreds of
// milliseconds to import, and a local store, `keel snapshot` on a directory and every db node
// without an s3:// store never need it.
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { SnapshotError } from './errors.js';
import type { SnapshotLimits } from './limits.js';
import { assertObjectName, type SnapshotStore, type StoredObject } from './store.js';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket ('' or ending without a slash). */
  prefix: string;
  endpoint?: string;
  region: string;
  /** Path-style URLs (http://host/bucket/key), needed by most S3-compatible servers. */
  forcePathStyle: boolean;
  /** Explicit credentials (tests); default: the AWS credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Parses s3://bucket[/prefix]. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) throw new SnapshotError('SNAPSHOT_STORE', `not an s3:// URL: ${url}`);
  return { bucket: match[1]!, key: match[2]!.replace(/\/+$/, '') };
}

type Sdk = typeof import('@aws-sdk/client-s3');

let sdkLoading: Promise<Sdk> | null = null;

/** The AWS SDK module, imported once, the first time an S3 store talks to S3. */
export function loadS3Sdk(): Promise<Sdk> {
  sdkLoading ??= import('@aws-sdk/client-s3');
  return sdkLoading;
}

export class S3Store implements SnapshotStore {
  readonly url: string;
  private connecting: Promise<{ sdk: Sdk; client: S3Client }> | null = null;
  private client: S3Client | null = null;
  private closed = false;

  constructor(readonly options: S3StoreOptions, private readonly limits: SnapshotLimits) {
    this.url = `s3://${options.bucket}${options.prefix ? `/${options.prefix}` : ''}`;
  }

  /** The SDK and the client, created on first use. */
  private connect(): Promise<{ sdk: Sdk; client: S3Client }> {
    if (this.closed) return Promise.reject(new SnapshotError('SNAPSHOT_STORE', `${this.url}: store closed`));
    this.connecting ??= loadS3Sdk().then((sdk) => {
      const config: S3ClientConfig = { region: this.options.region, forcePathStyle: this.options.forcePathStyle };
      if (this.options.endpoint) config.endpoint = this.options.endpoint;
      if (this.options.credentials) config.credentials = this.options.credentials;
      const client = new sdk.S3Client(config);
      if (this.closed) client.destroy();
      else this.client = client;
      return { sdk, client };
    });
    return this.connecting;
  }

  location(name: string): string {
    return `s3://${this.options.bucket}/${this.keyOf(name)}`;
  }

  async put(name: string, body: AsyncIterable<Uint8Array>): Promise<{ bytes: number }> {
    const key = this.keyOf(name);
    const { sdk, client } = await this.connect();
    const partBytes = this.limits.s3PartBytes;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let total = 0;
    let uploadId: string | null = null;
    const parts: { ETag: string; PartNumber: number }[] = [];
    const sendPart = async (data: Buffer): Promise<void> => {
      uploadId ??= (await this.call('CreateMultipartUpload', key, () => client.send(new sdk.CreateMultipartUploadCommand({ Bucket: this.options.bucket, Key: key })))).UploadId ?? null;
      const UploadId = uploadId;
      if (!UploadId) throw new SnapshotError('SNAPSHOT_STORE', `S3 gave no upload id for ${key}`);
      const PartNumber = parts.length + 1;
      const { ETag } = await this.call('UploadPart', key, () => client.send(new sdk.UploadPartCommand({ Bucket: this.options.bucket, Key: key, UploadId, PartNumber, Body: data, ContentLength: data.length })));
      if (!ETag) throw new SnapshotError('SNAPSHOT_STORE', `S3 gave no ETag for part ${PartNumber} of ${key}`);
      parts.push({ ETag, PartNumber });
    };
    try {
      for await (const block of body) {
        pending.push(Buffer.from(block.buffer, block.byteOffset, block.length));
        pendingBytes += block.length;
        total += block.length;
        while (pendingBytes >= partBytes) {
          const all = Buffer.concat(pending, pendingBytes);
          await sendPart(all.subarray(0, partBytes));
          pending = [all.subarray(partBytes)];
          pendingBytes -= partBytes;
        }
      }
      const rest = Buffer.concat(pending, pendingBytes);
      if (uploadId === null && parts.length === 0 && rest.length <= this.limits.s3SinglePutBytesMax) {
        await this.call('PutObject', key, () => client.send(new sdk.PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: rest, ContentLength: rest.length })));
        return { bytes: total };
      }
      if (rest.length > 0 || parts.length === 0) await sendPart(rest);
      await this.call('CompleteMultipartUpload', key, () => client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: this.options.bucket, Key: key, UploadId: uploadId!, MultipartUpload: { Parts: parts } })));
      return { bytes: total };
    } catch (error) {
      if (uploadId) await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw error;
    }
  }

  async *get(name: string): AsyncIterable<Uint8Array> {
    const key = this.keyOf(name);
    const { sdk, client } = await this.connect();
    let response;
    try {
      response = await client.send(new sdk.GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
    } catch (error) {
      const code = (error as { name?: string }).name;
      if (code === 'NoSuchKey' || code === 'NotFound') throw new SnapshotError('SNAPSHOT_NOT_FOUND', `${this.location(name)} does not exist`);
      throw new SnapshotError('SNAPSHOT_STORE', `S3 GetObject ${this.location(name)}: ${(error as Error).message}`);
    }
    if (!response.Body) throw new SnapshotError('SNAPSHOT_STORE', `S3 GetObject ${this.location(name)} returned no body`);
    yield* response.Body as AsyncIterable<Uint8Array>;
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    const base = this.options.prefix ? `${this.options.prefix}/` : '';
    let token: string | undefined;
    const { sdk, client } = await this.connect();
    do {
      const page = await this.call('ListObjectsV2', base + prefix, () => client.send(new sdk.ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: base + prefix, ContinuationToken: token })));
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        objects.push({ name: item.Key.slice(base.length), bytes: item.Size ?? 0, modifiedMs: item.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  async delete(name: string): Promise<void> {
    const key = this.keyOf(name);
    const { sdk, client } = await this.connect();
    await this.call('DeleteObject', key, () => client.send(new sdk.DeleteObjectCommand({ Bucket: this.options.bucket, Key: key })));
  }

  close(): void {
    this.closed = true;
    this.client?.destroy();
    this.client = null;
  }

  private keyOf(name: string): string {
    assertObjectName(name);
    return this.options.prefix ? `${this.options.prefix}/${name}` : name;
  }

  private async call<T>(operation: string, key: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new SnapshotError('SNAPSHOT_STORE', `S3 ${operation} s3://${this.options.bucket}/${key}: ${(error as Error).message}`);
    }
  }
}
