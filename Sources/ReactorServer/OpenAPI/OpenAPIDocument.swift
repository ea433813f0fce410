/// The OpenAPI 3.1 document of the HTTP API, served at `/openapi.json`.
///
/// Keep it in step with the routes: `OpenAPIDocumentTests` checks that every route is documented and that responses
/// match it, and CI runs schemathesis against it.
public enum OpenAPIDocument {
    /// The document as JSON text.
    public static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Reactor",
    "version": "0.2.0",
    "description": "The unified Reactor server: event-sourced documents, jobs, subscriptions and admin. Errors are `{\"error\": {\"code\", \"message\"}}` with a stable code."
  },
  "servers": [
    {
      "url": "http://127.0.0.1:8000"
    }
  ],
  "paths": {
    "/health": {
      "get": {
        "summary": "Liveness: 200 while the reactor accepts work.",
        "operationId": "health",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          },
          "503": {
            "description": "Shutting down.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          }
        },
        "tags": [
          "system"
        ]
      }
    },
    "/metrics": {
      "get": {
        "summary": "Prometheus metrics.",
        "operationId": "metrics",
        "responses": {
          "200": {
            "description": "Prometheus text format.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        },
        "tags": [
          "system"
        ]
      }
    },
    "/openapi.json": {
      "get": {
        "summary": "This document.",
        "operationId": "openapi",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        },
        "tags": [
          "system"
        ]
      }
    },
    "/reactor/v1/documents": {
      "post": {
        "summary": "Create a document.",
        "operationId": "createDocument",
        "responses": {
          "201": {
            "description": "Created (with `wait=true`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobAndDocument"
                }
              }
            },
            "links": {
              "GetDocument": {
                "operationId": "getDocument",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "ExecuteActions": {
                "operationId": "executeActions",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "ListOperations": {
                "operationId": "listOperations",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "ListChildren": {
                "operationId": "listChildren",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "AddChildren": {
                "operationId": "addChildren",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "ListParents": {
                "operationId": "listParents",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "ListRelationships": {
                "operationId": "listRelationships",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "DeleteDocument": {
                "operationId": "deleteDocument",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "GetJob": {
                "operationId": "getJob",
                "parameters": {
                  "id": "$response.body#/job/id"
                }
              }
            }
          },
          "202": {
            "description": "Accepted: the job is queued.",
            "headers": {
              "Location": {
                "schema": {
                  "type": "string"
                },
                "description": "The job's URL."
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobEnvelope"
                }
              }
            },
            "links": {
              "GetDocument": {
                "operationId": "getDocument",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "ExecuteActions": {
                "operationId": "executeActions",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "ListOperations": {
                "operationId": "listOperations",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "ListChildren": {
                "operationId": "listChildren",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "AddChildren": {
                "operationId": "addChildren",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "ListParents": {
                "operationId": "listParents",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "ListRelationships": {
                "operationId": "listRelationships",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "DeleteDocument": {
                "operationId": "deleteDocument",
                "parameters": {
                  "id": "$response.body#/job/documentId"
                }
              },
              "GetJob": {
                "operationId": "getJob",
                "parameters": {
                  "id": "$response.body#/job/id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "410": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "504": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "documents"
        ],
        "parameters": [
          {
            "name": "wait",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Wait until the job is READ_READY and return the result."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CreateDocument"
              }
            }
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      },
      "get": {
        "summary": "Find documents.",
        "operationId": "findDocuments",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DocumentPage"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "504": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "documents"
        ],
        "parameters": [
          {
            "name": "type",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Document type."
          },
          {
            "name": "parentId",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only children of this document."
          },
          {
            "name": "ids",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma-separated ids."
          },
          {
            "name": "slugs",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma-separated slugs."
          },
          {
            "name": "includeDeleted",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Include deleted documents."
          },
          {
            "name": "branch",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "minLength": 1,
              "maxLength": 128
            },
            "description": "Branch (default `main`)."
          },
          {
            "name": "consistencyToken",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "A job's `token`: the read waits until the job's writes are indexed."
          },
          {
            "name": "cursor",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "pattern": "^[0-9]+$"
            },
            "description": "`nextCursor` of the previous page."
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000
            },
            "description": "Page size (default 100)."
          }
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/documents/{id}": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "minLength": 1
          },
          "description": "Document id or slug."
        }
      ],
      "get": {
        "summary": "Get a document by id or slug.",
        "operationId": "getDocument",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Document"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "410": {
            "$ref": "#/components/responses/Error"
          },
          "504": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "documents"
        ],
        "parameters": [
          {
            "name": "branch",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "minLength": 1,
              "maxLength": 128
            },
            "description": "Branch (default `main`)."
          },
          {
            "name": "consistencyToken",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "A job's `token`: the read waits until the job's writes are indexed."
          }
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      },
      "delete": {
        "summary": "Delete a document (soft delete).",
        "operationId": "deleteDocument",
        "responses": {
          "200": {
            "description": "Deleted (with `wait=true`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobEnvelope"
                }
              }
            }
          },
          "202": {
            "description": "Accepted: the job is queued.",
            "headers": {
              "Location": {
                "schema": {
                  "type": "string"
                },
                "description": "The job's URL."
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobEnvelope"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "410": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "504": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "documents"
        ],
        "parameters": [
          {
            "name": "wait",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Wait until the job is READ_READY and return the result."
          }
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/documents/{id}/actions": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "minLength": 1
          },
          "description": "Document id or slug."
        }
      ],
      "post": {
        "summary": "Execute actions on a document (one job).",
        "operationId": "executeActions",
        "responses": {
          "200": {
            "description": "Done (with `wait=true`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobAndDocument"
                }
              }
            }
          },
          "202": {
            "description": "Accepted: the job is queued.",
            "headers": {
              "Location": {
                "schema": {
                  "type": "string"
                },
                "description": "The job's URL."
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobEnvelope"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "410": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "424": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "504": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "documents"
        ],
        "parameters": [
          {
            "name": "branch",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "minLength": 1,
              "maxLength": 128
            },
            "description": "Branch (default `main`)."
          },
          {
            "name": "wait",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Wait until the job is READ_READY and return the result."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ExecuteActions"
              }
            }
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/documents/{id}/operations": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "minLength": 1
          },
          "description": "Document id or slug."
        }
      ],
      "get": {
        "summary": "List a document's operations.",
        "operationId": "listOperations",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OperationPage"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "410": {
            "$ref": "#/components/responses/Error"
          },
          "504": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "operations"
        ],
        "parameters": [
          {
            "name": "branch",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "minLength": 1,
              "maxLength": 128
            },
            "description": "Branch (default `main`)."
          },
          {
            "name": "scope",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma-separated scopes."
          },
          {
            "name": "actionType",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma-separated action types."
          },
          {
            "name": "fromIndex",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 0,
              "maximum": 2147483647
            },
            "description": "Only operations with index ≥ this."
          },
          {
            "name": "since",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 0
            },
            "description": "Only operations at or after this time (ms since 1970)."
          },
          {
            "name": "consistencyToken",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "A job's `token`: the read waits until the job's writes are indexed."
          },
          {
            "name": "cursor",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "pattern": "^[0-9]+$"
            },
            "description": "`nextCursor` of the previous page."
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000
            },
            "description": "Page size (default 100)."
          }
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/documents/{id}/children": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "minLength": 1
          },
          "description": "Document id or slug."
        }
      ],
      "get": {
        "summary": "The document's children.",
        "operationId": "listChildren",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DocumentPage"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "410": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "relationships"
        ],
        "parameters": [
          {
            "name": "cursor",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "pattern": "^[0-9]+$"
            },
            "description": "`nextCursor` of the previous page."
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000
            },
            "description": "Page size (default 100)."
          }
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      },
      "post": {
        "summary": "Add children (child relationships).",
        "operationId": "addChildren",
        "responses": {
          "200": {
            "description": "Done (with `wait=true`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobAndDocument"
                }
              }
            }
          },
          "202": {
            "description": "Accepted: the job is queued.",
            "headers": {
              "Location": {
                "schema": {
                  "type": "string"
                },
                "description": "The job's URL."
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobEnvelope"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "410": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "504": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "relationships"
        ],
        "parameters": [
          {
            "name": "wait",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Wait until the job is READ_READY and return the result."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ChildIds"
              }
            }
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/documents/{id}/children/{childId}": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "minLength": 1
          },
          "description": "Document id or slug."
        },
        {
          "name": "childId",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "minLength": 1
          }
        }
      ],
      "delete": {
        "summary": "Remove a child.",
        "operationId": "removeChild",
        "responses": {
          "200": {
            "description": "Done (with `wait=true`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobAndDocument"
                }
              }
            }
          },
          "202": {
            "description": "Accepted: the job is queued.",
            "headers": {
              "Location": {
                "schema": {
                  "type": "string"
                },
                "description": "The job's URL."
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobEnvelope"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "410": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "504": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "relationships"
        ],
        "parameters": [
          {
            "name": "wait",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Wait until the job is READ_READY and return the result."
          }
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/documents/{id}/parents": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "minLength": 1
          },
          "description": "Document id or slug."
        }
      ],
      "get": {
        "summary": "The document's parents.",
        "operationId": "listParents",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DocumentPage"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "410": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "relationships"
        ],
        "parameters": [
          {
            "name": "cursor",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "pattern": "^[0-9]+$"
            },
            "description": "`nextCursor` of the previous page."
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000
            },
            "description": "Page size (default 100)."
          }
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/documents/{id}/relationships": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "minLength": 1
          },
          "description": "Document id or slug."
        }
      ],
      "get": {
        "summary": "Relationships from and to the document.",
        "operationId": "listRelationships",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Relationships"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "410": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "relationships"
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/jobs/{id}": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "minLength": 1
          }
        }
      ],
      "get": {
        "summary": "A job's status.",
        "operationId": "getJob",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobEnvelope"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "jobs"
        ],
        "parameters": [
          {
            "name": "wait",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Wait until the job is READ_READY and return the result."
          },
          {
            "name": "timeout",
            "in": "query",
            "required": false,
            "schema": {
              "type": "number",
              "exclusiveMinimum": 0,
              "maximum": 300
            },
            "description": "Seconds to wait (with `wait`)."
          }
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/batches": {
      "post": {
        "summary": "Submit jobs with dependencies.",
        "operationId": "submitBatch",
        "responses": {
          "200": {
            "description": "Done (with `wait=true`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BatchResult"
                }
              }
            }
          },
          "202": {
            "description": "Accepted.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BatchResult"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          },
          "504": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "jobs"
        ],
        "parameters": [
          {
            "name": "wait",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Wait until the job is READ_READY and return the result."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Batch"
              }
            }
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/subscriptions/events": {
      "get": {
        "summary": "Subscribe to changes (Server-Sent Events: `ready`, then one `change` event per change).",
        "operationId": "subscribeEvents",
        "responses": {
          "200": {
            "description": "An event stream.",
            "content": {
              "text/event-stream": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "subscriptions"
        ],
        "parameters": [
          {
            "name": "type",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Document type."
          },
          {
            "name": "parentId",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only children of this document."
          },
          {
            "name": "ids",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma-separated ids."
          },
          {
            "name": "slugs",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma-separated slugs."
          },
          {
            "name": "includeDeleted",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Include deleted documents."
          }
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/subscriptions/ws": {
      "get": {
        "summary": "Subscribe to changes over WebSocket (upgrade request; messages `{\"type\":\"ready\"}`, `{\"type\":\"change\",\"change\":…}`, `{\"type\":\"heartbeat\"}`).",
        "operationId": "subscribeWebSocket",
        "responses": {
          "101": {
            "description": "Switching protocols."
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "subscriptions"
        ],
        "parameters": [
          {
            "name": "type",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Document type."
          },
          {
            "name": "parentId",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only children of this document."
          },
          {
            "name": "ids",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma-separated ids."
          },
          {
            "name": "slugs",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma-separated slugs."
          },
          {
            "name": "includeDeleted",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Include deleted documents."
          }
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/reactor/v1/auth/me": {
      "get": {
        "summary": "The verified claims of the caller's token.",
        "operationId": "whoAmI",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ClaimsEnvelope"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "auth"
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/_admin/version": {
      "get": {
        "summary": "Server version.",
        "operationId": "adminVersion",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Version"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "admin"
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/_admin/doctor": {
      "get": {
        "summary": "Health checks of every part (store, vault, data directory).",
        "operationId": "adminDoctor",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Doctor"
                }
              }
            }
          },
          "503": {
            "description": "A check failed.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Doctor"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "admin"
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/_admin/migrate": {
      "post": {
        "summary": "Bring the store's schema up to date.",
        "operationId": "adminMigrate",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "500": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "admin"
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/_admin/vault": {
      "get": {
        "summary": "List secret paths.",
        "operationId": "listSecrets",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SecretPaths"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "admin"
        ],
        "parameters": [
          {
            "name": "prefix",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only paths starting with this."
          }
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    },
    "/_admin/vault/{path}": {
      "parameters": [
        {
          "name": "path",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[A-Za-z0-9_.-]+$"
          },
          "description": "Secret path (may contain `/`)."
        }
      ],
      "get": {
        "summary": "Read a secret.",
        "operationId": "getSecret",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Secret"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "admin"
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      },
      "put": {
        "summary": "Write a secret.",
        "operationId": "putSecret",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SecretPath"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "admin"
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/SecretValue"
              }
            }
          }
        },
        "security": [
          {
            "bearer": []
          }
        ]
      },
      "delete": {
        "summary": "Delete a secret.",
        "operationId": "deleteSecret",
        "responses": {
          "204": {
            "description": "Deleted."
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          }
        },
        "tags": [
          "admin"
        ],
        "security": [
          {
            "bearer": []
          }
        ]
      }
    }
  },
  "components": {
    "schemas": {
      "Error": {
        "type": "object",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "code",
              "message"
            ],
            "properties": {
              "code": {
                "type": "string",
                "description": "Stable error code (e.g. DOCUMENT_NOT_FOUND, INVALID_INPUT)."
              },
              "message": {
                "type": "string"
              },
              "path": {
                "type": "string",
                "description": "The request field that was wrong."
              },
              "details": {
                "type": "object",
                "additionalProperties": {
                  "type": "string"
                }
              }
            }
          },
          "job": {
            "$ref": "#/components/schemas/Job"
          }
        }
      },
      "Health": {
        "type": "object",
        "required": [
          "status"
        ],
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "ok",
              "shutting_down"
            ]
          }
        }
      },
      "Signer": {
        "type": "object",
        "required": [
          "algorithm",
          "publicKey"
        ],
        "properties": {
          "algorithm": {
            "type": "string",
            "enum": [
              "Ed25519",
              "P256"
            ]
          },
          "publicKey": {
            "type": "string"
          },
          "name": {
            "type": "string"
          }
        }
      },
      "Header": {
        "type": "object",
        "required": [
          "id",
          "name",
          "documentType",
          "modelVersion",
          "branch",
          "createdAt",
          "lastModifiedAt",
          "revision",
          "meta"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "slug": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "documentType": {
            "type": "string"
          },
          "modelVersion": {
            "type": "integer"
          },
          "branch": {
            "type": "string"
          },
          "createdAt": {
            "type": "integer"
          },
          "lastModifiedAt": {
            "type": "integer"
          },
          "revision": {
            "type": "object",
            "additionalProperties": {
              "type": "integer"
            }
          },
          "signer": {
            "$ref": "#/components/schemas/Signer"
          },
          "meta": {
            "type": "object"
          },
          "deletedAt": {
            "type": "integer"
          }
        }
      },
      "Document": {
        "type": "object",
        "required": [
          "header",
          "state",
          "hashes"
        ],
        "properties": {
          "header": {
            "$ref": "#/components/schemas/Header"
          },
          "state": {
            "type": "object"
          },
          "hashes": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          }
        }
      },
      "DocumentPage": {
        "type": "object",
        "required": [
          "items",
          "nextCursor"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Document"
            }
          },
          "nextCursor": {
            "type": [
              "string",
              "null"
            ]
          }
        }
      },
      "ConsistencyToken": {
        "type": "object",
        "required": [
          "version",
          "createdAt",
          "coordinates"
        ],
        "properties": {
          "version": {
            "type": "integer"
          },
          "createdAt": {
            "type": "integer"
          },
          "coordinates": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "documentId",
                "scope",
                "branch",
                "operationIndex"
              ],
              "properties": {
                "documentId": {
                  "type": "string"
                },
                "scope": {
                  "type": "string"
                },
                "branch": {
                  "type": "string"
                },
                "operationIndex": {
                  "type": "integer"
                }
              }
            }
          }
        }
      },
      "Job": {
        "type": "object",
        "required": [
          "id",
          "documentId",
          "status",
          "createdAt",
          "updatedAt",
          "attempts"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "documentId": {
            "type": "string"
          },
          "status": {
            "type": "string",
            "enum": [
              "PENDING",
              "RUNNING",
              "WRITE_READY",
              "READ_READY",
              "FAILED"
            ]
          },
          "createdAt": {
            "type": "integer"
          },
          "updatedAt": {
            "type": "integer"
          },
          "attempts": {
            "type": "integer"
          },
          "consistencyToken": {
            "$ref": "#/components/schemas/ConsistencyToken"
          },
          "token": {
            "type": "string",
            "description": "The consistency token as a string, for `?consistencyToken=`."
          },
          "error": {
            "type": "object",
            "required": [
              "code",
              "message"
            ],
            "properties": {
              "code": {
                "type": "string"
              },
              "message": {
                "type": "string"
              },
              "details": {
                "type": "object"
              },
              "isTransient": {
                "type": "boolean"
              }
            }
          }
        }
      },
      "JobEnvelope": {
        "type": "object",
        "required": [
          "job"
        ],
        "properties": {
          "job": {
            "$ref": "#/components/schemas/Job"
          }
        }
      },
      "JobAndDocument": {
        "type": "object",
        "required": [
          "job"
        ],
        "properties": {
          "job": {
            "$ref": "#/components/schemas/Job"
          },
          "document": {
            "$ref": "#/components/schemas/Document"
          }
        }
      },
      "Action": {
        "type": "object",
        "required": [
          "id",
          "type"
        ],
        "properties": {
          "id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 256,
            "description": "Unique id chosen by the client; re-sending an action with the same id is recognised."
          },
          "type": {
            "type": "string",
            "minLength": 1,
            "description": "Action type, e.g. ADD_TODO."
          },
          "scope": {
            "type": "string",
            "minLength": 1,
            "description": "Default `global`."
          },
          "input": {
            "description": "The action's input (default `{}`)."
          },
          "timestamp": {
            "type": "integer",
            "description": "ms since 1970 (default now)."
          },
          "context": {
            "type": "object",
            "description": "Signer and signatures."
          }
        }
      },
      "ExecuteActions": {
        "type": "object",
        "required": [
          "actions"
        ],
        "examples": [
          {
            "actions": [
              {
                "id": "a1",
                "type": "ADD_TODO",
                "input": {
                  "id": "t1",
                  "text": "milk"
                }
              }
            ]
          }
        ],
        "properties": {
          "actions": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1000,
            "items": {
              "$ref": "#/components/schemas/Action"
            }
          }
        }
      },
      "CreateDocument": {
        "type": "object",
        "required": [
          "documentType"
        ],
        "examples": [
          {
            "documentType": "reactor/todo-list",
            "name": "Groceries"
          },
          {
            "documentType": "reactor/drive",
            "name": "Files"
          }
        ],
        "properties": {
          "documentType": {
            "type": "string",
            "minLength": 1,
            "description": "A registered model type, e.g. reactor/todo-list.",
            "examples": [
              "reactor/todo-list",
              "reactor/drive"
            ]
          },
          "id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 256,
            "description": "Default: a new UUID."
          },
          "slug": {
            "type": "string",
            "minLength": 1,
            "maxLength": 256
          },
          "name": {
            "type": "string"
          },
          "branch": {
            "type": "string",
            "minLength": 1,
            "maxLength": 256
          },
          "meta": {
            "type": "object"
          },
          "initialState": {
            "type": "object",
            "description": "Initial state per model scope."
          },
          "modelVersion": {
            "type": "integer"
          }
        }
      },
      "ChildIds": {
        "type": "object",
        "required": [
          "ids"
        ],
        "properties": {
          "ids": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1000,
            "items": {
              "type": "string",
              "minLength": 1,
              "maxLength": 256
            }
          }
        }
      },
      "Batch": {
        "type": "object",
        "required": [
          "jobs"
        ],
        "properties": {
          "jobs": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1000,
            "items": {
              "type": "object",
              "required": [
                "key",
                "documentId",
                "actions"
              ],
              "properties": {
                "key": {
                  "type": "string",
                  "minLength": 1
                },
                "documentId": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 256
                },
                "branch": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 256
                },
                "actions": {
                  "type": "array",
                  "minItems": 1,
                  "maxItems": 1000,
                  "items": {
                    "$ref": "#/components/schemas/Action"
                  }
                },
                "dependsOn": {
                  "type": "array",
                  "items": {
                    "type": "string"
                  }
                }
              }
            }
          }
        }
      },
      "BatchResult": {
        "type": "object",
        "required": [
          "jobs"
        ],
        "properties": {
          "jobs": {
            "type": "object",
            "additionalProperties": {
              "$ref": "#/components/schemas/Job"
            }
          }
        }
      },
      "Operation": {
        "type": "object",
        "required": [
          "stream",
          "documentType",
          "ordinal",
          "operation"
        ],
        "properties": {
          "stream": {
            "type": "object",
            "required": [
              "documentId",
              "scope",
              "branch"
            ],
            "properties": {
              "documentId": {
                "type": "string"
              },
              "scope": {
                "type": "string"
              },
              "branch": {
                "type": "string"
              }
            }
          },
          "documentType": {
            "type": "string"
          },
          "ordinal": {
            "type": "integer"
          },
          "operation": {
            "type": "object",
            "required": [
              "id",
              "index",
              "skip",
              "timestamp",
              "hash",
              "action"
            ],
            "properties": {
              "id": {
                "type": "string"
              },
              "index": {
                "type": "integer"
              },
              "skip": {
                "type": "integer"
              },
              "timestamp": {
                "type": "integer"
              },
              "hash": {
                "type": "string"
              },
              "action": {
                "type": "object"
              },
              "error": {
                "type": "string"
              }
            }
          }
        }
      },
      "OperationPage": {
        "type": "object",
        "required": [
          "items",
          "nextCursor"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Operation"
            }
          },
          "nextCursor": {
            "type": [
              "string",
              "null"
            ]
          }
        }
      },
      "Relationship": {
        "type": "object",
        "required": [
          "sourceId",
          "targetId",
          "type"
        ],
        "properties": {
          "sourceId": {
            "type": "string"
          },
          "targetId": {
            "type": "string"
          },
          "type": {
            "type": "string"
          }
        }
      },
      "Relationships": {
        "type": "object",
        "required": [
          "outgoing",
          "incoming"
        ],
        "properties": {
          "outgoing": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Relationship"
            }
          },
          "incoming": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Relationship"
            }
          }
        }
      },
      "Claims": {
        "type": "object",
        "required": [
          "sub"
        ],
        "properties": {
          "sub": {
            "type": "string"
          },
          "iss": {
            "type": "string"
          },
          "aud": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "exp": {
            "type": "number"
          },
          "iat": {
            "type": "number"
          },
          "roles": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        }
      },
      "ClaimsEnvelope": {
        "type": "object",
        "required": [
          "claims"
        ],
        "properties": {
          "claims": {
            "$ref": "#/components/schemas/Claims"
          }
        }
      },
      "Version": {
        "type": "object",
        "required": [
          "version"
        ],
        "properties": {
          "version": {
            "type": "string"
          },
          "api": {
            "type": "string"
          },
          "store": {
            "type": "string"
          }
        }
      },
      "Doctor": {
        "type": "object",
        "required": [
          "ok",
          "checks"
        ],
        "properties": {
          "ok": {
            "type": "boolean"
          },
          "checks": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "name",
                "ok",
                "detail"
              ],
              "properties": {
                "name": {
                  "type": "string"
                },
                "ok": {
                  "type": "boolean"
                },
                "detail": {
                  "type": "string"
                }
              }
            }
          }
        }
      },
      "SecretPaths": {
        "type": "object",
        "required": [
          "paths"
        ],
        "properties": {
          "paths": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        }
      },
      "Secret": {
        "type": "object",
        "required": [
          "path",
          "value"
        ],
        "properties": {
          "path": {
            "type": "string"
          },
          "value": {
            "type": "string"
          }
        }
      },
      "SecretPath": {
        "type": "object",
        "required": [
          "path"
        ],
        "properties": {
          "path": {
            "type": "string"
          }
        }
      },
      "SecretValue": {
        "type": "object",
        "required": [
          "value"
        ],
        "properties": {
          "value": {
            "type": "string"
          }
        }
      }
    },
    "responses": {
      "Error": {
        "description": "An error with a stable code.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    },
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Needed when [auth] is enabled."
      }
    }
  }
}
"""#
}
