"""The real `pinecone` SDK (10.2.0, API 2026-07) against FakePinecone, our labelled stand-in.

These tests prove two things the Pinecone adapter's tests rely on: that the SDK really talks to
the fake (same paths, headers, bodies and error shapes as the published API), and that the
fake computes what Pinecone documents (scores, filters, pagination, limits). Expected scores
are worked out by hand in the comments, never by calling the fake's own code.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pinecone import (
    ApiError,
    ConflictError,
    NotFoundError,
    Pinecone,
    RateLimitError,
    RetryConfig,
    ServerlessSpec,
    ServiceError,
    UnauthorizedError,
    UnauthorizedException,
)
from pinecone.index import Index

from tests.fakes.pinecone_api import FakePinecone

HYBRID_SCHEMA = {
    "fields": {
        "_values": {"type": "dense_vector", "dimension": 3, "metric": "dotproduct"},
        "_sparse_values": {"type": "sparse_vector"},
    }
}
RECORDS: list[dict[str, Any]] = [
    {
        "id": "a",
        "values": [1.0, 2.0, 3.0],
        "sparse_values": {"indices": [10, 20], "values": [0.5, 1.0]},
        "metadata": {"genre": "drama", "year": 2019, "tags": ["x", "y"], "draft": False},
    },
    {
        "id": "b",
        "values": [0.0, 1.0, 0.0],
        "sparse_values": {"indices": [20, 30], "values": [2.0, 4.0]},
        "metadata": {"genre": "comedy", "year": 2021, "tags": ["y"]},
    },
    {"id": "c", "values": [-1.0, 0.0, 1.0], "metadata": {"genre": "documentary", "year": 2020}},
    {"id": "d", "values": [0.5, 0.5, 0.5]},
]


@pytest.fixture
def fake() -> Iterator[FakePinecone]:
    with FakePinecone(dimension=3, metric="dotproduct") as server:
        yield server


@pytest.fixture
def index(fake: FakePinecone) -> Iterator[Index]:
    with Pinecone(api_key="test-key", host=fake.url) as pc, pc.Index(host=fake.url) as idx:
        yield idx


@pytest.fixture
def seeded(index: Index) -> Index:
    assert index.upsert(vectors=RECORDS, namespace="ns").upserted_count == 4
    return index


def _raw(fake: FakePinecone, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """Hit the fake without the SDK, for server-side checks the SDK would refuse to send."""
    headers = {"Api-Key": "test-key", "X-Pinecone-Api-Version": "2026-07", **kwargs.pop("headers", {})}
    return httpx.request(method, fake.url + path, headers=headers, timeout=10, **kwargs)


def _ids(index: Index, flt: dict[str, Any]) -> set[str]:
    response = index.query(vector=[1.0, 1.0, 1.0], top_k=10, namespace="ns", filter=flt)
    return {match.id for match in response.matches}


# -- data plane through the SDK -------------------------------------------------------------


def test_upsert_then_fetch_round_trips_dense_sparse_and_metadata(fake: FakePinecone, seeded: Index) -> None:
    fetched = seeded.fetch(ids=["a", "c", "missing"], namespace="ns")

    assert set(fetched.vectors) == {"a", "c"}
    a = fetched.vectors["a"]
    assert a.values == [1.0, 2.0, 3.0]
    assert a.sparse_values is not None
    assert (a.sparse_values.indices, a.sparse_values.values) == ([10, 20], [0.5, 1.0])
    # Pinecone stores metadata numbers as 64-bit floats.
    assert a.metadata == {"genre": "drama", "year": 2019.0, "tags": ["x", "y"], "draft": False}
    assert fetched.vectors["c"].sparse_values is None
    assert fetched.namespace == "ns"
    assert set(fake.namespaces["ns"]) == {"a", "b", "c", "d"}


def test_dense_values_are_stored_as_float32(seeded: Index) -> None:
    seeded.upsert(vectors=[("f", [0.1, 0.2, 0.3])], namespace="ns")
    values = seeded.fetch(ids=["f"], namespace="ns").vectors["f"].values
    assert values == pytest.approx([0.1, 0.2, 0.3], rel=1e-6)
    assert values[0] != 0.1  # float32 rounding, as the service stores components


def test_hybrid_query_scores_are_dense_plus_sparse_dot_products(seeded: Index) -> None:
    response = seeded.query(
        vector=[1.0, 0.0, 2.0],
        sparse_vector={"indices": [20, 30], "values": [1.0, 0.5]},
        top_k=4,
        namespace="ns",
        include_values=True,
        include_metadata=True,
    )

    # a: dense 1*1 + 2*0 + 3*2 = 7, sparse (index 20) 1.0*1.0 = 1  -> 8
    # b: dense 0,                  sparse 2.0*1.0 + 4.0*0.5 = 4     -> 4
    # d: dense 0.5 + 0 + 0.5*2 = 1.5, no sparse                     -> 1.5
    # c: dense -1 + 0 + 2 = 1, no sparse                            -> 1
    assert [(m.id, m.score) for m in response.matches] == [("a", 8.0), ("b", 4.0), ("d", 1.5), ("c", 1.0)]
    top = response.matches[0]
    assert top.values == [1.0, 2.0, 3.0]
    assert top.sparse_values is not None and top.sparse_values.indices == [10, 20]
    assert top.metadata is not None and top.metadata["genre"] == "drama"
    assert response.namespace == "ns"
    assert response.usage is not None and response.usage.read_units == 1


def test_query_without_includes_returns_ids_and_scores_only(seeded: Index) -> None:
    match = seeded.query(vector=[1.0, 0.0, 0.0], top_k=1, namespace="ns").matches[0]
    assert (match.id, match.score, match.values, match.metadata) == ("a", 1.0, [], None)


def test_sparse_only_query_scores_sparse_overlap(seeded: Index) -> None:
    response = seeded.query(sparse_vector={"indices": [30], "values": [1.0]}, top_k=2, namespace="ns")
    # Only b has index 30 (weight 4.0); the rest score 0 and tie-break by id.
    assert [(m.id, m.score) for m in response.matches] == [("b", 4.0), ("a", 0.0)]


def test_query_by_id_uses_the_stored_dense_vector(seeded: Index) -> None:
    response = seeded.query(id="b", top_k=2, namespace="ns")
    # b = [0, 1, 0]: a scores 2, b itself 1, c 0, d 0.5.
    assert [(m.id, m.score) for m in response.matches] == [("a", 2.0), ("b", 1.0)]


def test_query_with_filter_ranks_only_matching_records(seeded: Index) -> None:
    response = seeded.query(
        vector=[1.0, 0.0, 2.0], top_k=10, namespace="ns", filter={"genre": {"$in": ["comedy", "documentary"]}}
    )
    # c: -1 + 2 = 1; b: 0 (the filter drops a and d, which would otherwise outrank both).
    assert [(m.id, m.score) for m in response.matches] == [("c", 1.0), ("b", 0.0)]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"genre": "drama"}, {"a"}),  # implicit $eq shorthand
        ({"genre": {"$eq": "comedy"}}, {"b"}),
        ({"genre": {"$ne": "drama"}}, {"b", "c", "d"}),  # a record without the field is "not equal"
        ({"tags": "x"}, {"a"}),  # list field: any element matches
        ({"tags": {"$in": ["y", "z"]}}, {"a", "b"}),
        ({"tags": {"$nin": ["x"]}}, {"b", "c", "d"}),
        ({"year": {"$gt": 2019}}, {"b", "c"}),
        ({"year": {"$gte": 2020, "$lt": 2021}}, {"c"}),
        ({"year": {"$lte": 2019}}, {"a"}),
        ({"draft": {"$exists": True}}, {"a"}),
        ({"genre": {"$exists": False}}, {"d"}),
        ({"draft": False}, {"a"}),
        ({"year": 2020}, {"c"}),
        ({"$or": [{"genre": "comedy"}, {"year": {"$lt": 2020}}]}, {"a", "b"}),
        ({"$and": [{"tags": "y"}, {"year": {"$gt": 2020}}]}, {"b"}),
        ({"genre": {"$in": ["drama", "documentary"]}, "year": {"$gte": 2020}}, {"c"}),
    ],
)
def test_metadata_filter_language(seeded: Index, flt: dict[str, Any], expected: set[str]) -> None:
    assert _ids(seeded, flt) == expected


@pytest.mark.parametrize(
    "flt",
    [{"year": {"$gt": "2019"}}, {"genre": {"$regex": "d"}}, {"tags": {"$in": "x"}}, {"$or": []}, {"$not": {}}],
)
def test_malformed_filter_is_a_400(seeded: Index, flt: dict[str, Any]) -> None:
    with pytest.raises(ApiError) as info:
        _ids(seeded, flt)
    assert info.value.status_code == 400


def test_list_paginates_sorted_ids_with_prefix(fake: FakePinecone, index: Index) -> None:
    index.upsert(vectors=[(f"doc1#{i}", [1.0, 0.0, 0.0]) for i in (3, 0, 4, 1, 2)] + [("doc2#0", [1.0, 0, 0])],
                 namespace="ns2")

    first = index.list_paginated(prefix="doc1#", limit=2, namespace="ns2")
    assert [v.id for v in first.vectors] == ["doc1#0", "doc1#1"]
    assert first.pagination is not None and first.pagination.next
    second = index.list_paginated(prefix="doc1#", limit=2, namespace="ns2", pagination_token=first.pagination.next)
    assert [v.id for v in second.vectors] == ["doc1#2", "doc1#3"]
    assert second.pagination is not None
    last = index.list_paginated(prefix="doc1#", limit=2, namespace="ns2", pagination_token=second.pagination.next)
    assert [v.id for v in last.vectors] == ["doc1#4"]
    assert last.pagination is None

    calls_before = len(fake.requests)
    pages = list(index.list(prefix="doc1#", limit=2, namespace="ns2"))
    assert [v.id for page in pages for v in page.vectors] == [f"doc1#{i}" for i in range(5)]
    assert len(fake.requests) - calls_before == 3  # the SDK followed pagination.next twice
    assert [v.id for v in index.list_paginated(namespace="ns2").vectors][-1] == "doc2#0"  # default limit 100


def test_delete_by_ids_by_filter_and_delete_all(fake: FakePinecone, seeded: Index) -> None:
    seeded.upsert(vectors=[("keep", [1.0, 0.0, 0.0])], namespace="other")

    seeded.delete(ids=["a", "never-existed"], namespace="ns")
    assert set(fake.namespaces["ns"]) == {"b", "c", "d"}
    seeded.delete(filter={"genre": {"$eq": "comedy"}}, namespace="ns")  # serverless deletes by metadata
    assert set(fake.namespaces["ns"]) == {"c", "d"}
    seeded.delete(delete_all=True, namespace="ns")
    assert "ns" not in fake.namespaces
    assert set(fake.namespaces["other"]) == {"keep"}


def test_delete_with_empty_filter_is_refused_by_the_server(fake: FakePinecone, seeded: Index) -> None:
    response = _raw(fake, "POST", "/vectors/delete", json={"filter": {}, "namespace": "ns"})
    assert response.status_code == 400
    assert response.json()["message"] == "Delete with empty metadata filter is not allowed"
    assert len(fake.namespaces["ns"]) == 4


def test_describe_index_stats_counts_per_namespace(seeded: Index) -> None:
    seeded.upsert(vectors=[("z", [0.0, 0.0, 1.0])])  # default namespace

    stats = seeded.describe_index_stats()

    assert stats.total_vector_count == 5
    assert {name: s.vector_count for name, s in stats.namespaces.items()} == {"ns": 4, "": 1}
    assert (stats.dimension, stats.metric, stats.index_fullness) == (3, "dotproduct", 0.0)


def test_describe_index_stats_refuses_a_metadata_filter_like_serverless(seeded: Index) -> None:
    with pytest.raises(ApiError) as info:
        seeded.describe_index_stats(filter={"genre": "drama"})
    assert info.value.status_code == 400


# -- validation -----------------------------------------------------------------------------


def test_dimension_mismatch_is_a_plain_api_error_400(fake: FakePinecone, index: Index) -> None:
    with pytest.raises(ApiError) as info:
        index.upsert(vectors=[("ok", [1.0, 0.0, 0.0]), ("bad", [1.0, 2.0])], namespace="ns")

    error = info.value
    assert type(error) is ApiError  # 400 has no dedicated subclass in the SDK
    assert error.status_code == 400
    assert error.body == {
        "code": 3,
        "message": "Vector dimension 2 does not match the dimension of the index 3",
        "details": [],
    }
    assert fake.namespaces == {}  # a rejected batch writes nothing
    assert [p for _, p in fake.requests].count("/vectors/upsert") == 1  # 400 is not retried


def test_query_dimension_mismatch_is_a_400(index: Index) -> None:
    with pytest.raises(ApiError) as info:
        index.query(vector=[1.0, 0.0], top_k=1)
    assert info.value.status_code == 400


def test_sparse_values_need_a_declared_sparse_field() -> None:
    with FakePinecone(dimension=2, sparse=False) as fake, Pinecone(api_key="test-key") as pc:
        idx = pc.Index(host=fake.url)
        with pytest.raises(ApiError) as info:
            idx.upsert(vectors=[{"id": "s", "values": [1.0, 0.0], "sparse_values": {"indices": [1], "values": [1.0]}}])
        assert info.value.message == "Index configuration does not support sparse values"


def _vector(vector_id: str = "v", **extra: Any) -> dict[str, Any]:
    return {"id": vector_id, "values": [1.0, 0.0, 0.0], **extra}


@pytest.mark.parametrize(
    ("path", "body", "message_part"),
    [
        ("/vectors/upsert", {"vectors": [_vector(str(i)) for i in range(1001)]}, "exceeds the limit of 1000"),
        ("/vectors/upsert", {"vectors": [_vector(metadata={"blob": "x" * (2 * 1024 * 1024)})]}, "2 MB"),
        ("/vectors/upsert", {"vectors": [_vector(metadata={"blob": "x" * 41_000})]}, "exceeds the limit of 40960"),
        ("/vectors/upsert", {"vectors": [_vector(metadata={"nested": {"a": 1}})]}, "list of strings"),
        ("/vectors/upsert", {"vectors": [_vector(metadata={"nums": [1, 2]})]}, "list of strings"),
        ("/vectors/upsert", {"vectors": [_vector(metadata={"$op": "x"})]}, "may not begin with '$'"),
        (
            "/vectors/upsert",
            {"vectors": [_vector(sparseValues={"indices": [1, 2], "values": [0.5]})]},
            "same length",
        ),
        ("/vectors/upsert", {"vectors": [_vector(sparseValues={"indices": [1, 1], "values": [1, 2]})]}, "unique"),
        ("/vectors/upsert", {"vectors": [{"id": "z", "values": [0.0, 0.0, 0.0]}]}, "contains only zeros"),
        ("/vectors/upsert", {"vectors": []}, "non-empty"),
        ("/query", {"topK": 0, "vector": [1, 0, 0]}, "topK"),
        ("/query", {"topK": 10_001, "vector": [1, 0, 0]}, "topK"),
        ("/query", {"topK": 1, "id": "a", "vector": [1, 0, 0]}, "may not also carry"),
        ("/query", {"topK": 1}, "needs one of"),
    ],
)
def test_published_limits_are_enforced_server_side(
    fake: FakePinecone, path: str, body: dict[str, Any], message_part: str
) -> None:
    response = _raw(fake, "POST", path, json=body)

    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == 3 and payload["details"] == []
    assert message_part in payload["message"]
    assert fake.namespaces == {}


def test_null_metadata_values_are_stripped_not_refused(fake: FakePinecone, index: Index) -> None:
    response = _raw(fake, "POST", "/vectors/upsert", json={"vectors": [_vector(metadata={"gone": None, "kept": "y"})]})
    assert response.status_code == 200 and response.json() == {"upsertedCount": 1}
    assert index.fetch(ids=["v"]).vectors["v"].metadata == {"kept": "y"}


def test_cosine_index_scores_by_cosine_and_refuses_sparse_queries() -> None:
    with FakePinecone(dimension=2, metric="cosine") as fake, Pinecone(api_key="test-key") as pc:
        idx = pc.Index(host=fake.url)
        idx.upsert(vectors=[("p", [1.0, 0.0]), ("q", [1.0, 1.0]), ("r", [0.0, -2.0])])

        matches = idx.query(vector=[3.0, 4.0], top_k=3).matches

        # |query| = 5. p: 3/5 = 0.6; q: 7/(5*sqrt 2) = 0.98995; r: -8/(5*2) = -0.8
        assert [m.id for m in matches] == ["q", "p", "r"]
        assert [m.score for m in matches] == pytest.approx([0.98995, 0.6, -0.8], abs=1e-5)
        with pytest.raises(ApiError) as info:
            idx.query(vector=[1.0, 0.0], sparse_vector={"indices": [1], "values": [1.0]}, top_k=1)
        assert info.value.status_code == 400


def test_euclidean_index_reports_squared_distance_lowest_first() -> None:
    with FakePinecone(dimension=2, metric="euclidean") as fake, Pinecone(api_key="test-key") as pc:
        idx = pc.Index(host=fake.url)
        idx.upsert(vectors=[("p", [1.0, 0.0]), ("q", [1.0, 1.0]), ("r", [0.0, -2.0])])

        matches = idx.query(vector=[3.0, 4.0], top_k=3).matches

        # q: 2^2 + 3^2 = 13; p: 2^2 + 4^2 = 20; r: 3^2 + 6^2 = 45
        assert [(m.id, m.score) for m in matches] == [("q", 13.0), ("p", 20.0), ("r", 45.0)]


# -- auth, errors and retries ---------------------------------------------------------------


def test_every_request_carries_the_api_key_and_version_header(fake: FakePinecone, seeded: Index) -> None:
    seeded.describe_index_stats()
    assert fake.requests == [("POST", "/vectors/upsert"), ("POST", "/describe_index_stats")]
    assert fake.api_versions == ["2026-07", "2026-07"]


def test_wrong_api_key_raises_unauthorized_on_both_planes(fake: FakePinecone) -> None:
    assert UnauthorizedException is UnauthorizedError  # the 9.x name is an alias

    with Pinecone(api_key="wrong-key", host=fake.url) as pc:
        with pytest.raises(UnauthorizedError) as data_plane:
            pc.Index(host=fake.url).describe_index_stats()
        with pytest.raises(UnauthorizedError) as control_plane:
            pc.describe_index("anything")

    for error in (data_plane.value, control_plane.value):
        assert error.status_code == 401
        assert error.message == "Unauthorized"  # the published 401 is a plain-text body
        assert error.body is None
    assert _raw(fake, "GET", "/vectors/list", headers={"Api-Key": ""}).text == "Unauthorized"


def test_unknown_route_is_a_404(fake: FakePinecone) -> None:
    response = _raw(fake, "POST", "/vectors/upsert_everything", json={})
    assert response.status_code == 404
    assert response.json()["code"] == 5


def test_sdk_retries_a_transient_failure_by_itself(fake: FakePinecone, index: Index) -> None:
    fake.fail_next(1, 503)  # no Retry-After: the SDK backs off 0.25 s or more on its own

    assert index.upsert(vectors=[("r", [1.0, 0.0, 0.0])]).upserted_count == 1
    assert fake.requests.count(("POST", "/vectors/upsert")) == 2
    assert set(fake.namespaces[""]) == {"r"}


@pytest.mark.parametrize(
    ("status", "error_type", "attempts"),
    [
        (503, ServiceError, 4),
        (500, ServiceError, 4),
        (429, RateLimitError, 4),
        (400, ApiError, 1),
        (409, ConflictError, 1),
    ],
)
def test_failures_surface_after_the_sdk_retry_budget(
    fake: FakePinecone, index: Index, status: int, error_type: type[ApiError], attempts: int
) -> None:
    # Retry-After: 0 keeps the SDK's honoured back-off at zero so the test stays fast.
    fake.fail_next(10, status, path="/query", retry_after=0)

    with pytest.raises(error_type) as info:
        index.query(vector=[1.0, 0.0, 0.0], top_k=1)

    assert info.value.status_code == status
    assert info.value.body is not None and info.value.body["message"].startswith("Injected failure")
    # 3 retries after the first attempt for 408/429/5xx; nothing else is retried.
    assert fake.requests.count(("POST", "/query")) == attempts
    if isinstance(info.value, RateLimitError):
        assert info.value.retry_after == 0.0


def test_retry_config_reaches_the_control_plane_but_not_rest_data_plane(fake: FakePinecone) -> None:
    with Pinecone(api_key="test-key", host=fake.url, retry_config=RetryConfig(max_retries=0)) as pc:
        fake.fail_next(1, 503, path="/indexes/missing", retry_after=0)
        with pytest.raises(ServiceError):
            pc.describe_index("missing")
        assert fake.requests.count(("GET", "/indexes/missing")) == 1

        fake.fail_next(4, 503, path="/describe_index_stats", retry_after=0)
        with pytest.raises(ServiceError):
            pc.Index(host=fake.url).describe_index_stats()
        assert fake.requests.count(("POST", "/describe_index_stats")) == 4


# -- control plane --------------------------------------------------------------------------


def test_create_and_describe_a_serverless_index_then_use_it_by_name(fake: FakePinecone) -> None:
    with Pinecone(api_key="test-key", host=fake.url) as pc:
        created = pc.create_index(
            name="docs", dimension=3, metric="dotproduct", spec=ServerlessSpec(cloud="aws", region="us-east-1")
        )
        described = pc.describe_index("docs")

        for model in (created, described):
            assert model.host == fake.url
            assert (model.dimension, model.metric) == (3, "dotproduct")
            assert model.status.ready and model.status.state == "Ready"
            assert (model.deployment.cloud, model.deployment.region) == ("aws", "us-east-1")
        with pc.Index(name="docs") as idx:
            assert idx.upsert(vectors=[("n", [1.0, 0.0, 0.0])]).upserted_count == 1
            # The 9.x-style create declares only the dense field: in 2026-07 sparse upserts are refused.
            hybrid_record = {"id": "s", "values": [1.0, 0, 0], "sparse_values": {"indices": [1], "values": [1.0]}}
            with pytest.raises(ApiError) as info:
                idx.upsert(vectors=[hybrid_record])
            assert info.value.status_code == 400

        with pytest.raises(ConflictError):
            pc.create_index(name="docs", dimension=3, spec=ServerlessSpec(cloud="aws", region="us-east-1"))

    assert fake.requests[0] == ("POST", "/indexes")


def test_hybrid_index_is_created_by_declaring_the_sparse_field(fake: FakePinecone) -> None:
    with Pinecone(api_key="test-key", host=fake.url) as pc:
        model = pc.indexes.create(
            name="hybrid",
            schema=HYBRID_SCHEMA,
            deployment={"deployment_type": "managed", "cloud": "aws", "region": "us-east-1"},
        )
        assert set(model.schema.fields) == {"_values", "_sparse_values"}
        with pc.Index(host=model.host) as idx:
            idx.upsert(vectors=RECORDS[:2], namespace="ns")
            top = idx.query(sparse_vector={"indices": [10], "values": [2.0]}, top_k=1, namespace="ns").matches[0]
            assert (top.id, top.score) == ("a", 1.0)  # 0.5 * 2.0


def test_describe_unknown_index_is_not_found_with_the_api_error_shape(fake: FakePinecone) -> None:
    with Pinecone(api_key="test-key", host=fake.url) as pc, pytest.raises(NotFoundError) as info:
        pc.describe_index("nope")

    assert info.value.status_code == 404
    assert info.value.body == {"error": {"code": "NOT_FOUND", "message": "Index nope not found."}, "status": 404}
