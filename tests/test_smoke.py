def test_home_renders(client, community):
    response = client.get("/")
    assert response.status_code == 200
    assert community.name in response.content.decode()
